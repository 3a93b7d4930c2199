"""The main window wires the board, the controller, the lock and the toolbar together.

Locking (the Lock button, Ctrl+L, or N minutes without input) empties every patient
detail from the board, closes any open dialog, and asks for the signed-in user's
password; Switch user lets someone else sign in, who then becomes the acting user.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ketamon import __version__
from ketamon.domain.actors import Actor
from ketamon.domain.changes import Change
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.users import Role, User, format_roles
from ketamon.services.clinic import Clinic
from ketamon.ui.banner import ConnectionBanner
from ketamon.ui.board import BoardArea, BoardWidget
from ketamon.ui.controller import BoardController
from ketamon.ui.dialogs.messages import Confirm
from ketamon.ui.help import (
    HelpPage,
    HelpSection,
    action_rows,
    dialog_section,
    install_help,
    menu_rows,
    tile_rows,
)
from ketamon.ui.idle import IdleWatch
from ketamon.ui.key_hints import show_hint
from ketamon.ui.lifetime import alive
from ketamon.ui.live import MainThreadPost
from ketamon.ui.lock import LockPanel, close_dialogs
from ketamon.ui.tile import ACTIONS

USER_LABEL_WIDTH = 280  # px of the signed-in name; a longer name ends in "…" (full in the tip)


class MainWindow(QMainWindow):
    def __init__(self, clinic: Clinic, actor: Actor) -> None:
        super().__init__()
        self.resize(1600, 980)
        self.locked = False
        self.signed_out = False
        self.board = BoardWidget(clinic.clock, self)
        self.controller = BoardController(clinic, actor, self)
        self.controller.board_changed.connect(self.board.set_board)
        # Every committed change, once, as a Qt signal: the board, the session windows and
        # the review list each refresh what it touches.
        self.controller.changed.connect(self.controller.on_change)
        self._unsubscribe = clinic.changes.subscribe(self._changed)
        # ...also those committed at other workstations (within about a second).
        clinic.start_live(MainThreadPost(self))
        self._stop_live = clinic.stop_live
        self.board.requested.connect(self.controller.request)
        self.board.hint.connect(lambda text: show_hint(self.statusBar(), text))
        self.lock_panel = LockPanel(
            lambda password: clinic.auth.confirm_password(self.controller.actor, password),
            clinic.auth.sign_in,
            choose_password=clinic.users.change_password,
        )
        self.lock_panel.unlocked.connect(self._unlocked)
        self.lock_panel.switched.connect(self._switched)
        self.lock_panel.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        # Across the top while the database cannot be reached (above the lock panel too).
        self.connection_banner = ConnectionBanner(
            self.controller.connection, on_server=clinic.on_server
        )
        column.addWidget(self.connection_banner)
        column.addWidget(self.lock_panel)
        self.board_area = BoardArea(self.board)
        column.addWidget(self.board_area, 1)
        self.setCentralWidget(central)
        self._build_toolbar()
        self.idle = IdleWatch(clinic.clock, self)
        self.board.ticked.connect(self.check_idle)
        self.board.ticked.connect(self._show_time)

        for number in range(1, 10):
            select = QAction(self)
            select.setShortcut(QKeySequence(str(number)))
            select.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            select.triggered.connect(lambda _=False, i=number - 1: self.select_tile(i))
            self.addAction(select)

        keys = ", ".join(f"{spec.shortcut} {spec.text.lower()}" for spec in ACTIONS)
        # The keys first: a narrow screen cuts the end of the line, where the file's path is
        self.statusBar().showMessage(
            f"F1 help · keys: 1–9 select a chair, then {keys} · Ctrl+L lock · "
            f"KetaMon {__version__} · database {clinic.location}"
        )
        self._show_actor()
        self.controller.reload()
        self.board.tick()  # ticks (and checks for idleness) even if the board failed to load

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(toolbar)
        self.lock_action = self._action(toolbar, "Lock", "Hide patient details until you sign in")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setToolTip("Lock the screen: patient details hidden (Ctrl+L)")
        self.lock_action.triggered.connect(self.lock)
        self.recent_action = self._action(
            toolbar,
            "Discharged…",
            "Recent discharges: sessions ended in the last 24 h, print the summary",
        )
        self.recent_action.triggered.connect(self.controller.show_recent)
        self.patients_action = self._action(
            toolbar, "Patients…", "Find a patient: their course, scores and every session"
        )
        self.patients_action.triggered.connect(lambda: self.controller.show_patients())
        self.due_action = self._action(
            toolbar,
            "Today…",
            "Today's sessions and planned visits; who is due: boosters overdue or due, series gaps",
        )
        self.due_action.triggered.connect(self.controller.show_due)
        self.review_action = self._action(
            toolbar, "Review", "Finished sessions awaiting the physician's review and signature"
        )
        self.review_action.triggered.connect(self.controller.open_review)
        self.controller.board_changed.connect(lambda _board: self._show_review_count())
        self.export_action = self._action(
            toolbar,
            "Export…",
            "CSV files, the controlled-substance log or a FHIR bundle "
            "(physicians and administrators; audited)",
        )
        self.export_action.triggered.connect(self.controller.show_export)
        toolbar.addSeparator()
        # The administrator's tools in one menu, so the board's toolbar fits a 1366-px screen.
        self.setup_button = QToolButton()
        self.setup_button.setObjectName("toolbar_setup")
        self.setup_button.setText("Clinic set-up")
        self.setup_button.setToolTip("Users, chairs, clinic settings, the side effects list")
        self.setup_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setup_menu = QMenu(self.setup_button)
        self.setup_menu.setToolTipsVisible(True)
        self.setup_button.setMenu(self.setup_menu)
        self.setup_button_action = toolbar.addWidget(self.setup_button)
        self.users_action = self._menu_action(
            "Users…", "Add, deactivate, reactivate users or reset a password"
        )
        self.users_action.triggered.connect(self.controller.edit_users)
        self.chairs_action = self._menu_action("Chairs…", "Add, rename, reorder or retire chairs")
        self.chairs_action.triggered.connect(self.controller.edit_chairs)
        self.settings_action = self._menu_action(
            "Settings…", "Clinic settings: automatic lock, targets, vitals schedule"
        )
        self.settings_action.triggered.connect(self.controller.edit_settings)
        self.side_effects_action = self._menu_action(
            "Side effects list…", "Side effects offered as checkboxes: add, rename, retire"
        )
        self.side_effects_action.triggered.connect(self.controller.edit_side_effect_catalog)
        # The board is live (changes arrive by themselves): F5 stays, off the toolbar.
        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.setToolTip("Reload the board from the database (F5)")
        self.addAction(self.refresh_action)
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_action.triggered.connect(self.controller.reload)
        self.help_action = install_help(self, self.help_page)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        # The time of day, local with its zone, large enough to read across the room.
        self.clock_label = QLabel("")
        self.clock_label.setObjectName("boardClock")
        self.clock_label.setToolTip("The time now (this computer's zone)")
        toolbar.addWidget(self.clock_label)
        # The user menu: who is signed in, and their own password.
        self.user_label = QToolButton()
        self.user_label.setObjectName("userLabel")
        self.user_label.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.user_label)
        menu.setToolTipsVisible(True)
        self.roles_action = menu.addAction("Roles:")
        self.roles_action.setEnabled(False)
        menu.addSeparator()
        # Switching user sits with the signed-in name (and on the lock screen) so the toolbar
        # fits a 1366-px screen.
        self.switch_action = menu.addAction("Switch user…")
        self.switch_action.setToolTip("Someone else signs in at this workstation")
        self.switch_action.triggered.connect(self.switch_user)
        self.password_action = menu.addAction("Change password…")
        self.password_action.setToolTip("Your own new password (your signing key follows it)")
        self.password_action.triggered.connect(self.controller.change_password)
        self.user_label.setMenu(menu)
        toolbar.addWidget(self.user_label)
        self.toolbar = toolbar

    def help_page(self) -> HelpPage:
        """The board's help, from the tile's action table and this window's own actions."""
        toolbar = [a for a in self.toolbar.actions() if a is not self.setup_button_action]
        menus = self.setup_menu.actions() if self.setup_button_action.isVisible() else []
        return HelpPage(
            "The chair board",
            (
                HelpSection("At a chair (select it with 1–9 or a click)", tile_rows()),
                HelpSection("Anywhere on the board", action_rows(self.actions())),
                HelpSection(
                    "The toolbar",
                    menu_rows(toolbar)
                    + menu_rows(menus)
                    + menu_rows(self.user_label.menu().actions()),
                ),
                dialog_section(),
            ),
        )

    def _show_time(self) -> None:
        """Once a tick; the text (and so a repaint) changes once a minute."""
        now = self.board.clock().astimezone()
        text = f"{now:%H:%M} {now:%Z}".strip()
        if self.clock_label.text() != text:
            self.clock_label.setText(text)

    def _action(self, toolbar: QToolBar, text: str, tip: str) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        toolbar.addAction(action)
        button = toolbar.widgetForAction(action)
        if button is not None:
            button.setObjectName(f"toolbar_{text.rstrip('…').replace(' ', '_').lower()}")
        return action

    def _menu_action(self, text: str, tip: str) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        self.setup_menu.addAction(action)
        return action

    # -- who is signed in ------------------------------------------------------------------
    @property
    def actor(self) -> Actor:
        return self.controller.actor

    def _show_actor(self) -> None:
        roles = self.controller.roles
        # The name alone on the toolbar (it must fit 1366 px); the roles in its menu and tip.
        role_text = format_roles(roles).replace(",", ", ") or "no roles"
        self.user_label.ensurePolished()  # the stylesheet's font, to measure with
        metrics = self.user_label.fontMetrics()
        self.user_label.setText(
            metrics.elidedText(self.actor.label, Qt.TextElideMode.ElideRight, USER_LABEL_WIDTH)
        )
        self.user_label.setToolTip(f"Signed in as {self.actor.label} ({role_text})")
        self.roles_action.setText(f"Roles: {role_text}")
        self.setWindowTitle(f"KetaMon: chair board · {self.actor.label}")
        self._update_actions()

    def _update_actions(self) -> None:
        admin = Role.ADMIN in self.controller.roles and not self.locked
        for action in (
            self.users_action,
            self.chairs_action,
            self.settings_action,
            self.side_effects_action,
        ):
            action.setVisible(admin)
            action.setEnabled(admin)
        self.setup_button_action.setVisible(admin)
        self.lock_action.setVisible(not self.locked)
        self.lock_action.setEnabled(not self.locked)
        self.recent_action.setEnabled(not self.locked)
        self.patients_action.setEnabled(not self.locked)
        self.due_action.setEnabled(not self.locked)
        self.password_action.setEnabled(not self.locked)
        physician = Role.PHYSICIAN in self.controller.roles
        self.review_action.setVisible(physician)
        exporter = physician or Role.ADMIN in self.controller.roles
        self.export_action.setVisible(exporter and not self.locked)
        self.review_action.setEnabled(physician and not self.locked)
        self._show_review_count()

    def open_start_view(self) -> None:
        """A physician who does not also nurse starts at the review list, their main view
        ("Awaiting review: N" and the sessions to sign); everyone else at the board."""
        roles = self.controller.roles
        if Role.PHYSICIAN in roles and Role.NURSE not in roles and not self.locked:
            self.controller.open_review()

    def _show_review_count(self) -> None:
        if not self.review_action.isVisible():
            return
        count = self.controller.awaiting_review()
        self.review_action.setText("Review" if count is None else f"Review ({count})")

    # -- lock ------------------------------------------------------------------------------
    @property
    def idle_lock_minutes(self) -> int:
        board = self.controller.board
        return (board.settings if board else ClinicSettings()).idle_lock_minutes

    def check_idle(self) -> None:
        """Lock after the clinic's idle time without keyboard or mouse input (each tick)."""
        if not self.locked and self.idle.idle_for() >= timedelta(minutes=self.idle_lock_minutes):
            self.lock()

    def lock(self) -> None:
        if self.locked:
            return
        self.locked = True
        self.board.set_masked(True)  # first: nothing identifying stays on screen
        close_dialogs(self)
        self.lock_panel.show()  # before show_for, so the password field can take the focus
        self.lock_panel.show_for(self.actor.label)
        self._update_actions()
        self.controller.record("lock")

    def switch_user(self) -> None:
        self.lock()
        self.lock_panel.show_switch()

    def _unlocked(self, _user: User) -> None:
        self._open_board()
        self.controller.record("unlock")

    def _switched(self, user: User) -> None:
        if user.username == self.actor.username:
            self._unlocked(user)
            return
        self.controller.record("sign_out", quiet=True)
        self.controller.set_actor(Actor(user.username, user.display_name))
        self._show_actor()
        self._open_board()
        self.controller.record("switch_user")
        self.open_start_view()

    def _open_board(self) -> None:
        self.locked = False
        self.lock_panel.hide()
        self.idle.reset()
        self.board.set_masked(False)
        self._update_actions()
        self.board.setFocus()

    def _changed(self, change: Change) -> None:
        if alive(self):
            self.controller.changed.emit(change)

    # -- keys and closing ------------------------------------------------------------------
    @property
    def dialog_anchor(self) -> QWidget | None:
        """The tile of the chair being acted on: its dialogs open beside it, not over it
        (KitDialog reads this from its parent)."""
        chair_id = self.controller.acting_chair
        return self.board.tiles.get(chair_id) if chair_id is not None else None

    def select_tile(self, index: int) -> None:
        tile = self.board.tile_at(index)
        if tile is not None:
            tile.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.board_area.show_tile(tile)

    def may_close(self) -> bool:
        """Closing with patients in chairs asks first (Enter and Esc keep it open), and
        says that nothing is lost: the timers are computed from the recorded times."""
        board = self.controller.board
        count = len(board.sessions) if board is not None else 0
        if count == 0:
            return True
        chairs = "1 chair is" if count == 1 else f"{count} chairs are"
        return Confirm.ask(
            self,
            "Close KetaMon?",
            f"{chairs} in session. Closing loses nothing: the timers keep running from the "
            "recorded times, and the board shows them again when KetaMon is opened.\n\n"
            "Close KetaMon on this computer?",
            "Close KetaMon",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        # Alt+F4 or the window's close button (spontaneous); a sign-out or the app's own
        # shutdown closes without asking.
        if event.spontaneous() and not self.signed_out and not self.may_close():
            event.ignore()
            return
        if not self.signed_out:  # closeEvent may come twice (app quit, then teardown)
            self.signed_out = True
            self.controller.record("sign_out", quiet=True)
        self._unsubscribe()
        self.controller.connection.stop()
        self._stop_live()
        self.board.stop()
        self.idle.stop()
        super().closeEvent(event)
