"""Clinic settings an administrator changes (each change is audited with who and when)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.errors import FieldError, StaleRecord
from ketamon.domain.settings import ClinicSettings
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard

# (setting, label, minimum, maximum, unit)
NUMBERS = (
    ("idle_lock_minutes", "Lock the screen after no input for", 1, 30, "min"),
    ("default_target_minutes", "Default target infusion duration", 5, 240, "min"),
    ("overrun_alert_minutes", "Tile turns red when over target by more than", 0, 60, "min"),
    ("initial_course_length", "Infusions in an initial course", 1, 30, ""),
    ("vitals_every_minutes", "Vitals during the infusion every", 5, 30, "min"),
    ("vitals_recovery_every_minutes", "Vitals in recovery every", 5, 60, "min"),
    ("vitals_red_recheck_minutes", "After red vitals, the next set within", 1, 30, "min"),
    ("baseline_max_age_minutes", "Baseline vitals count for starting within", 5, 240, "min"),
)
DISCHARGE_NUMBERS = (
    ("discharge_min_observation_minutes", "Minimum observation after the infusion", 0, 480, "min"),
    ("discharge_vitals_tolerance_percent", "Last vitals within (PADSS 2) of baseline", 1, 99, "%"),
    ("discharge_vitals_moderate_percent", "Last vitals within (PADSS 1) of baseline", 2, 100, "%"),
    ("discharge_padss_minimum", "PADSS needed to discharge", 0, 10, "of 10"),
)
TEXTS = (
    ("clinic_address", "Clinic address (on the summary)"),
    ("clinic_phone", "Clinic phone (on the summary)"),
    ("phone_region", "Phone numbers without a country code are from (2 letters)"),
    ("emergency_number", "Emergency number (empty: the region's, e.g. 911)"),
)


class SettingsDialog(KitDialog):
    def __init__(
        self,
        parent: QWidget | None,
        current: ClinicSettings,
        save: Callable[[dict[str, object]], ClinicSettings],
        reload: Callable[[], ClinicSettings] | None = None,
    ) -> None:
        """`save`: the changed settings (StaleRecord when saved since on another
        workstation); `reload`: the settings as stored now, after such a refusal."""
        super().__init__(parent)
        self.setWindowTitle("Clinic settings")
        self.setMinimumWidth(900)  # the instructions text needs a readable width
        self.current, self.save, self.reload = current, save, reload
        general, discharge = QWidget(), QWidget()
        form = QFormLayout(general)
        self.clinic_name = QLineEdit(current.clinic_name)
        form.addRow("Clinic name:", self.clinic_name)
        self.spins: dict[str, QSpinBox] = {}
        self.texts: dict[str, QLineEdit] = {}
        self._number_rows(form, NUMBERS)
        self.bp_sys, self.bp_dia = QSpinBox(), QSpinBox()
        self.bp_sys.setRange(100, 220)
        self.bp_dia.setRange(60, 140)
        self.bp_sys.setValue(current.baseline_bp_warning[0])
        self.bp_dia.setValue(current.baseline_bp_warning[1])
        self.bp_sys.setSuffix(" mmHg systolic")
        self.bp_dia.setSuffix(" mmHg diastolic")
        form.addRow("Warn before starting when baseline BP is above:", self.bp_sys)
        form.addRow("", self.bp_dia)
        dform = QFormLayout(discharge)
        self._number_rows(dform, DISCHARGE_NUMBERS)
        for key, label in TEXTS:
            edit = QLineEdit(str(getattr(current, key)))
            edit.setObjectName(f"setting_{key}")
            dform.addRow(f"{label}:", edit)
            self.texts[key] = edit
        self.instructions = QPlainTextEdit(current.discharge_instructions)
        self.instructions.setObjectName("setting_discharge_instructions")
        self.instructions.setMinimumHeight(120)
        dform.addRow("Discharge instructions (printed in large type):", self.instructions)
        self.tabs = QTabWidget()
        self.tabs.addTab(general, "General")
        self.tabs.addTab(discharge, "Discharge")
        self.errors = FieldErrors(error_label(), hide_empty_message=True)  # no field labels
        self.message = self.errors.message
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        title = QLabel("Clinic settings")
        title.setObjectName("dialogTitle")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(QLabel("Changes apply to every workstation and are recorded."))
        layout.addWidget(self.tabs)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _number_rows(self, form: QFormLayout, rows: tuple) -> None:
        for key, label, low, high, unit in rows:
            spin = QSpinBox()
            spin.setObjectName(f"setting_{key}")
            spin.setRange(low, high)
            spin.setValue(int(getattr(self.current, key)))
            if unit:
                spin.setSuffix(f" {unit}")
            spin.setToolTip(f"{low}–{high} {unit}".strip())
            form.addRow(f"{label}:", spin)
            self.spins[key] = spin

    def wanted(self) -> dict[str, object]:
        """Every setting the form shows, as it holds it now."""
        wanted: dict[str, object] = {k: s.value() for k, s in self.spins.items()}
        wanted |= {k: e.text().strip() for k, e in self.texts.items()}
        wanted["discharge_instructions"] = self.instructions.toPlainText().strip()
        wanted["clinic_name"] = self.clinic_name.text().strip()
        wanted["baseline_bp_warning"] = (self.bp_sys.value(), self.bp_dia.value())
        return wanted

    def changes(self) -> dict[str, object]:
        return {k: v for k, v in self.wanted().items() if getattr(self.current, k) != v}

    def _show(self, key: str, value: object) -> None:
        if key in self.spins:
            self.spins[key].setValue(int(value))  # type: ignore[call-overload]
        elif key in self.texts:
            self.texts[key].setText(str(value))
        elif key == "discharge_instructions":
            self.instructions.setPlainText(str(value))
        elif key == "clinic_name":
            self.clinic_name.setText(str(value))
        elif key == "baseline_bp_warning" and isinstance(value, tuple):
            self.bp_sys.setValue(value[0])
            self.bp_dia.setValue(value[1])

    def _reload_keeping_entries(self, error: StaleRecord) -> None:
        """Saved on another workstation meanwhile: show the settings stored now, but keep
        each one this user changed here (saved with the next Save)."""
        if self.reload is None:
            return
        mine = self.changes()
        with guard(self.errors) as failed:
            self.current = self.reload()
        if failed:
            return
        for key, value in self.wanted().items():
            if key not in mine:
                self._show(key, getattr(self.current, key))
            elif value != getattr(self.current, key):
                self._show(key, value)
        self.errors.say(f"Not saved: {error}")

    def submit(self) -> None:
        changes = self.changes()
        if not changes:
            self.accept()
            return
        with guard(self.errors) as refused:
            self.save(changes)
        error = refused.error
        if isinstance(error, StaleRecord):
            self._reload_keeping_entries(error)
        if isinstance(error, FieldError):  # the refused setting's tab, and the focus on it
            widget = self.spins.get(error.field) or self.texts.get(error.field) or self.clinic_name
            page = widget.parentWidget()
            if page is not None:
                self.tabs.setCurrentWidget(page)
            widget.setFocus()
        if refused:
            return
        self.accept()

    def answer(self) -> bool:
        """Saved (or nothing to change) and closed."""
        return self.result() == QDialog.DialogCode.Accepted
