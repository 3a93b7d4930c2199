"""The dialog kit: what every KetaMon dialog does the same way, in one place.

(Anchor: Picard's `PicardDialog`, one base that every dialog of the application derives
from.) Four things live here:

- `KitDialog.ask(parent, ...)`: build the dialog, run it modally, return its `answer()`
  (the saved entry, a reason, True/False; None when the nurse cancelled), and delete it, so
  a closed dialog never keeps a patient's name in the widget tree;
- `FieldErrors`: the error label under each field, the field's invalid look (the QSS's
  `[invalid="true"]`), and the dialog's error line for what belongs to no field; also a
  read-only mapping key -> label, as tests and dialogs look labels up by field;
- `guard(errors)` / `guarded(errors, call)`: the one catch of a refused action
  (DomainError, StorageError). A FieldError (or ValidationErrors) is shown under its field,
  anything else in the error line; nothing typed is touched, so the nurse corrects and
  saves again (a database that cannot be reached is also told to the connection banner,
  ketamon.ui.connection);
- `run_box(box)`: the same for a QMessageBox question: the button clicked;
- `repolish(widget)`: after a dynamic property (`grade`, `invalid`, `state`...) changed, so
  the stylesheet's selectors apply;
- the primary button: the one Enter presses (`KitDialog.primary_button()`), never Cancel.

Clinical times are read in the domain (ketamon.domain.clinical_time), colours come from
ketamon.ui.palette and the one stylesheet, resources/ketamon.qss.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from ketamon.domain.errors import DomainError, FieldError, StorageError, ValidationErrors
from ketamon.ui.connection import report_fault

T = TypeVar("T")

# What a dialog catches from a handler: a rule refused it, or the database failed. Anything
# else is a bug and goes to the crash collector.
REFUSALS = (DomainError, StorageError)


def repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property of `widget` changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def set_state(widget: QWidget, name: str, value: object) -> None:
    """Set a dynamic property the stylesheet selects on (e.g. grade="red") and repolish
    when it changed."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    repolish(widget)


def error_label(name: str = "fieldError", *, hidden: bool = True) -> QLabel:
    """A label in the error look (QLabel#fieldError in the QSS, or another object name
    that the QSS gives the same look), word-wrapped, hidden until it has something to say."""
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    if hidden:
        label.hide()
    return label


def fit_height(label: QLabel, beside: QWidget | None = None) -> None:
    """A wrapped label asks for the height its text needs at its width (that of the field
    it sits under, when the label has none yet). Layouts that do not pass height-for-width
    on (a form in a tab page: QStackedWidget) otherwise give it one line and the rest is
    cut off; a minimum height they do pass on, and the dialog grows to it."""
    if not label.wordWrap():
        return
    width = label.width() if label.isVisible() and label.width() > 1 else 0
    if beside is not None and beside.isVisible():
        width = max(width, beside.width())
    if width > 1:
        label.setMinimumHeight(label.heightForWidth(width))


class FieldErrors(Mapping[str, QLabel]):
    """Error labels under fields, the invalid look on the field itself, and the error line.

    `label(key, widget)` makes the label for one field (put it under the field);
    `attach(key, label, widget)` adopts a label a dialog built itself. `message` is the
    dialog's error line (pass one in to share a label the dialog already shows).
    `hide_empty_message`: the line is hidden while it is empty (otherwise it stays, empty).
    `focus`: a field that shows an error takes the keyboard focus.
    """

    def __init__(
        self,
        message: QLabel | None = None,
        *,
        hide_empty_message: bool = False,
        focus: bool = False,
    ) -> None:
        self.labels: dict[str, QLabel] = {}
        self.widgets: dict[str, QWidget] = {}
        self.kept_shown: set[str] = set()
        self.message = message if message is not None else error_label(hidden=False)
        self.hide_empty_message = hide_empty_message
        self.focus = focus
        if hide_empty_message and not self.message.text():
            self.message.hide()

    # -- the mapping: key -> the field's error label -------------------------------------
    def __getitem__(self, key: str) -> QLabel:
        return self.labels[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.labels)

    def __len__(self) -> int:
        return len(self.labels)

    # -- building ------------------------------------------------------------------------
    def label(self, key: str, widget: QWidget | None = None, name: str = "fieldError") -> QLabel:
        """A new, hidden error label for field `key` (whose input `widget` gets the invalid
        look while the error shows)."""
        return self.attach(key, error_label(name), widget)

    def attach(
        self, key: str, label: QLabel, widget: QWidget | None = None, *, keep_shown: bool = False
    ) -> QLabel:
        """Adopt `label` as field `key`'s error label. `keep_shown`: a label that keeps its
        place while empty (a live check beside the field), cleared but never hidden."""
        self.labels[key] = label
        if widget is not None:
            self.widgets[key] = widget
        if keep_shown:
            self.kept_shown.add(key)
        return label

    def watch(self, key: str, widget: QWidget) -> None:
        """Field `key`'s input, which gets the invalid look while refused; its message goes
        to the error line (a row of fields that shares one line)."""
        self.widgets[key] = widget

    # -- showing -------------------------------------------------------------------------
    def say(self, text: str) -> None:
        """The dialog's error line ("" clears it)."""
        self.message.setText(text)
        if self.hide_empty_message:
            self.message.setVisible(bool(text))

    def show(self, key: str, text: str) -> bool:
        """`text` under field `key`, or in the error line when there is no such field.
        True when it went under a field."""
        if not self._put(key, text):
            self.say(text)
            return False
        self._focus(key)
        return True

    def show_fields(self, errors: Mapping[str, str]) -> list[str]:
        """Each message under its field (the first one focused, with `focus`); the keys
        that are not fields of this dialog are left to the caller."""
        shown = [key for key, text in errors.items() if self._put(key, text)]
        if shown:
            self._focus(shown[0])
        return [key for key in errors if key not in shown]

    def _put(self, key: str, text: str) -> bool:
        label = self.labels.get(key)
        if label is None:
            return False
        label.setText(text)
        label.show()
        fit_height(label, self.widgets.get(key))
        self.mark(key, True)
        return True

    def _focus(self, key: str) -> None:
        widget = self.widgets.get(key)
        if self.focus and widget is not None:
            widget.setFocus()

    def show_error(self, error: Exception, prefix: str = "") -> None:
        """A refusal where it belongs: each field's message under its field, the rest (and
        a StorageError) in the error line, after `prefix` ("Not signed. ")."""
        if isinstance(error, ValidationErrors):
            elsewhere = self.show_fields(error.errors)
            if elsewhere:
                self.say(prefix + "; ".join(error.errors[key] for key in elsewhere))
        elif isinstance(error, FieldError):
            if not self.show(error.field, error.message):
                self.say(f"{prefix}{error.message}")
        else:
            self.say(f"{prefix}{error}")

    def clear_field(self, key: str) -> None:
        label = self.labels.get(key)
        if label is not None:
            if key not in self.kept_shown:
                label.hide()
            label.setText("")
            label.setMinimumHeight(0)
        self.mark(key, False)

    def clear(self) -> None:
        """Every field's error and the error line gone (before the next try)."""
        self.say("")
        for key in {*self.labels, *self.widgets}:
            self.clear_field(key)

    def text(self, key: str) -> str:
        """The error shown under field `key` ("" when none)."""
        label = self.labels.get(key)
        return label.text() if label is not None and not label.isHidden() else ""

    def shown(self) -> dict[str, str]:
        """Every field error on screen: key -> message."""
        return {key: self.text(key) for key in self.labels if self.text(key)}

    def mark(self, key: str, invalid: bool) -> None:
        """The invalid look on field `key`'s input (QSS `[invalid="true"]`)."""
        widget = self.widgets.get(key)
        if widget is not None and bool(widget.property("invalid")) != invalid:
            widget.setProperty("invalid", invalid)
            repolish(widget)


class Refusal:
    """What `guard` caught: falsy while nothing was refused."""

    def __init__(self) -> None:
        self.error: Exception | None = None

    def __bool__(self) -> bool:
        return self.error is not None


Shower = FieldErrors | Callable[[Exception], object]


@contextmanager
def guard(errors: Shower, prefix: str = "") -> Iterator[Refusal]:
    """Run the block; a DomainError or StorageError from it is shown (by `errors`, a
    FieldErrors or a callable taking the error) and swallowed:

        with guard(self.errors) as refused:
            self.saved = self.handlers.give(draft)
        if refused:
            return False
    """
    refusal = Refusal()
    try:
        yield refusal
    except REFUSALS as error:
        # Kept without its traceback: the frames it holds (the dialog among their locals)
        # would otherwise live in a reference cycle until the next garbage collection, past
        # the C++ dialog's deletion.
        refusal.error = error.with_traceback(None)
        if isinstance(errors, FieldErrors):
            errors.show_error(error, prefix)
        else:
            errors(error)
        report_fault(error)  # a database that cannot be reached: the banner says so too


def guarded(errors: Shower, call: Callable[[], T], prefix: str = "") -> T | None:
    """`call()`'s result, or None after showing its refusal (see `guard`)."""
    with guard(errors, prefix) as refused:
        result = call()
    return None if refused else result


class KitDialog(QDialog):
    """The base of KetaMon's dialogs: `ask()` is the one way to show one.

    A dialog sets what it produced (`self.saved`, by default) and overrides `answer()`
    when it returns something else (a reason, whether anything changed).

    The primary button (Save, Check in, Create administrator...) is the one Enter presses
    in a field: the button the dialog marked with `setDefault(True)` or `set_primary()`.
    Qt forgets a `setDefault(True)` made before the button was inside the dialog, and on
    show makes the first auto-default button of the focus chain the default (Cancel, in a
    button box): Enter in the last field then cancelled. So on show the primary is
    registered again, now that it is in the dialog, and no other button is auto-default,
    so Qt never moves the default elsewhere; Enter on a focused button (Tab to Cancel,
    Enter) still presses that button (`keyPressEvent`). A dialog without a primary action
    (a list with Close) has no default button: Enter never closes it unasked.
    """

    saved: Any = None
    _primary: QPushButton | None = None
    _primary_known = False

    def set_primary(self, button: QPushButton | None) -> None:
        """`button` is the dialog's primary action (None: the dialog has none)."""
        self._primary = button
        self._primary_known = True
        if button is not None and self.isVisible():
            button.setDefault(True)

    def primary_button(self) -> QPushButton | None:
        """The button Enter presses in a field (None: no primary action)."""
        if not self._primary_known:
            marked = [b for b in self.findChildren(QPushButton) if b.isDefault()]
            self.set_primary(marked[0] if marked else None)
        return self._primary

    def showEvent(self, event: QShowEvent) -> None:
        anchor = getattr(self.parentWidget(), "dialog_anchor", None)
        if isinstance(anchor, QWidget) and anchor.isVisible():
            place_beside(self, anchor)
        primary = self.primary_button()
        for button in self.findChildren(QPushButton):
            if button is not primary:
                button.setAutoDefault(False)
                button.setDefault(False)
        if primary is not None:
            primary.setDefault(True)
            set_state(primary, "primary", True)  # QSS: in bold (QDialog ...[primary="true"])
        super().showEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter on a focused button presses it (it is not auto-default: see the class)."""
        focused = self.focusWidget()
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and isinstance(focused, QPushButton)
            and focused.isEnabled()
        ):
            focused.click()
            event.accept()
            return
        super().keyPressEvent(event)

    def answer(self) -> Any:
        """What `ask()` returns: by default the saved entry, or None if cancelled."""
        return self.saved

    @classmethod
    def ask(cls, parent: QWidget | None, *args: Any, **kwargs: Any) -> Any:
        """Build the dialog with (parent, *args, **kwargs), run it modally, return its
        `answer()` and delete it (a closed dialog would keep the patient's name in the
        widget tree)."""
        dialog = cls(parent, *args, **kwargs)
        dialog.exec()
        try:
            return dialog.answer()
        finally:
            dialog.deleteLater()


def place_beside(
    dialog: QWidget, anchor: QWidget, gap: int = 12, area: QRect | None = None
) -> None:
    """Move `dialog` beside `anchor` (a chair's tile), on whichever side has room, so the
    tile stays in sight; where neither side has room, on the side with more, kept on the
    screen (`area`: the anchor's screen's available area). Level with the anchor's top."""
    if area is None:
        screen = anchor.screen()
        if screen is None:
            return
        area = screen.availableGeometry()
    size = dialog.size() if dialog.isVisible() else dialog.sizeHint()
    top_left = anchor.mapToGlobal(QPoint(0, 0))
    left, right = top_left.x(), top_left.x() + anchor.width()
    room_right = area.right() - right - gap
    room_left = left - area.left() - gap
    if room_right >= size.width():
        x = right + gap
    elif room_left >= size.width():
        x = left - gap - size.width()
    elif room_right >= room_left:
        x = area.right() - size.width()
    else:
        x = area.left()
    y = min(max(top_left.y(), area.top()), area.bottom() - size.height())
    x = min(max(x, area.left()), max(area.left(), area.right() - size.width()))
    dialog.move(x, max(y, area.top()))


def run_box(box: QMessageBox) -> QAbstractButton | None:
    """A question box's `ask()`: run it modally, return the button clicked (None: closed
    otherwise) and delete it (a closed box would keep the patient's name in the tree)."""
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    return clicked
