"""Each scripted checkout path, asserting what the shopper sees."""

from __future__ import annotations

from PySide6.QtCore import Qt

from checkout import Declined, PinView, Screen
from terminal_ui.screens import PinScreen, ResultScreen
from vision import REASON_TEXT, Reason

from .conftest import CASHIER_ID, CASHIER_PIN, Kiosk


def test_face_pays_after_confirming_name_and_amount(kiosk: Kiosk) -> None:
    kiosk.open_sale("1250")
    assert "EUR 12.50" in kiosk.texts()
    kiosk.shopper("anna")
    kiosk.wait_for(Screen.CONFIRM)
    assert "Pay EUR 12.50 as Anna K.?" in kiosk.texts()
    assert "Paying at Corner Shop" in kiosk.texts()
    kiosk.touch("Pay")
    kiosk.wait_for(Screen.RESULT)
    texts = kiosk.texts()
    assert "Payment approved" in texts and "Thank you, Anna K." in texts
    receipt = "\n".join(texts)
    assert "tr-0001" in receipt and "EUR 12.50" in receipt and "2027-01-15 08:00" in receipt
    screen = kiosk.window.current_widget
    assert isinstance(screen, ResultScreen) and screen.qr.pixmap() is not None
    assert kiosk.analyser.amounts == [1250]  # the analyser knows what is at stake
    customer, amount, currency, pin, evidence, offline = kiosk.payments.paid[0]
    assert (customer, amount, currency, pin, evidence.method, offline) == (
        "c-anna",
        1250,
        "EUR",
        None,
        "face",
        True,
    )
    assert kiosk.window.longest_stall_ms >= 0.0
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.IDLE)


def test_masked_face_is_sent_to_the_pin_calmly_and_pays(kiosk: Kiosk) -> None:
    kiosk.open_sale("800")
    kiosk.shopper("masked", masked=True)
    kiosk.wait_for(Screen.PIN)
    assert REASON_TEXT[Reason.MASKED] in kiosk.texts()
    assert "Paying EUR 8.00" in kiosk.texts()
    kiosk.keys("4321")
    pad = kiosk.window.current_widget
    assert isinstance(pad, PinScreen)
    assert pad.display.text() == "● ● ● ●"  # digits never shown
    assert "4321" not in " ".join(kiosk.texts())
    kiosk.touch("OK")
    kiosk.wait_for(Screen.RESULT)
    assert "Payment approved" in kiosk.texts()
    customer, _, _, pin, evidence, offline = kiosk.payments.paid[0]
    assert (customer, pin, evidence.masked, offline) == ("c-ben", "4321", True, False)


def test_wrong_pin_five_times_locks_with_a_clear_message(kiosk: Kiosk) -> None:
    kiosk.payments.answers = [Declined("wrong_pin", "wrong PIN", attempts_left=n) for n in (4, 3, 2, 1)]
    kiosk.payments.answers.append(Declined("pin_locked", "locked"))
    kiosk.open_sale()
    kiosk.shopper("masked", masked=True)
    kiosk.wait_for(Screen.PIN)
    for left in (4, 3, 2, 1):
        kiosk.keys("0000")
        kiosk.key(Qt.Key.Key_Return)
        kiosk.qtbot.waitUntil(  # type: ignore[attr-defined]
            lambda n=left: (
                kiosk.screen is Screen.PIN
                and any(t.startswith("Wrong PIN") and str(n) in t for t in kiosk.texts())
            )
        )
    assert "Wrong PIN. Please try again.\n1 attempt left before the PIN is locked." in kiosk.texts()
    kiosk.keys("0000")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.RESULT)
    texts = kiosk.texts()
    assert "PIN locked" in texts
    assert any("PIN is locked" in t and "ask the cashier" in t for t in texts)
    assert len(kiosk.payments.paid) == 5


def test_photo_attack_is_rejected_and_nothing_is_charged(kiosk: Kiosk) -> None:
    kiosk.open_sale()
    kiosk.shopper("photo")
    kiosk.wait_for(Screen.RESULT)
    assert "Payment not possible" in kiosk.texts()
    assert REASON_TEXT[Reason.SPOOF] in kiosk.texts()
    assert kiosk.payments.paid == []
    kiosk.touch("OK")
    kiosk.wait_for(Screen.SALE)


def test_cashier_refunds_a_payment_of_the_day_and_sees_totals(kiosk: Kiosk) -> None:
    kiosk.open_sale()
    kiosk.shopper("anna")
    kiosk.wait_for(Screen.CONFIRM)
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.RESULT)
    kiosk.cashier_login()
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("Payments: 1, EUR 12.50"))  # type: ignore[attr-defined]
    assert "Reconciliation: Journal and ledger agree." in kiosk.texts()
    kiosk.touch("Refund or void a payment")
    kiosk.wait_for(Screen.REFUNDS)
    kiosk.qtbot.waitUntil(lambda: kiosk.window.current_widget.list.count() == 1)  # type: ignore[attr-defined]
    kiosk.keys("1")
    kiosk.wait_for(Screen.AMOUNT)
    assert kiosk.shows("Refund to Anna K.")
    kiosk.keys("1250")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.REFUND_CONFIRM)
    assert "Refund EUR 12.50 to Anna K.?" in kiosk.texts()
    assert kiosk.payments.refunds == 0  # nothing sent before the confirmation
    kiosk.touch("Refund")
    kiosk.qtbot.waitUntil(  # type: ignore[attr-defined]
        lambda: "Refunded EUR 12.50 (transaction rf-0001)." in kiosk.texts()
    )
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("Refunds: 1, EUR 12.50"))  # type: ignore[attr-defined]
    kiosk.keys("3")  # the same payment again: the reason at once, no wait for the ledger
    kiosk.wait_for(Screen.REFUNDS)
    kiosk.qtbot.waitUntil(lambda: kiosk.window.current_widget.list.count() == 1)  # type: ignore[attr-defined]
    kiosk.keys("1")
    assert kiosk.screen is Screen.REFUNDS and kiosk.shows("Nothing left to refund")
    assert kiosk.payments.refunds == 1
    kiosk.key(Qt.Key.Key_Escape)
    kiosk.wait_for(Screen.CASHIER)
    kiosk.key(Qt.Key.Key_Escape)
    kiosk.wait_for(Screen.IDLE)


def test_amount_pad_says_the_shops_maximum_sale(kiosk: Kiosk) -> None:
    kiosk.cashier_login()
    kiosk.keys("1")
    kiosk.wait_for(Screen.AMOUNT)
    kiosk.keys("999999999")
    kiosk.key(Qt.Key.Key_Return)
    assert kiosk.screen is Screen.AMOUNT
    assert kiosk.shows("maximum sale of EUR 10,000.00")
    assert not kiosk.shows("amount.minor")


def test_stranger_types_customer_number_then_pin(kiosk: Kiosk) -> None:
    kiosk.open_sale()
    kiosk.shopper("stranger")
    kiosk.wait_for(Screen.CUSTOMER)
    assert REASON_TEXT[Reason.STRANGER] in kiosk.texts()
    kiosk.keys("100042")
    kiosk.touch("Next")
    kiosk.wait_for(Screen.PIN)
    kiosk.keys("1234")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.RESULT)
    assert kiosk.payments.paid[0][0] == "100042"


def test_challenge_shows_arrow_and_words(kiosk: Kiosk) -> None:
    kiosk.analyser.slow_s = 0.15  # keep the challenge on screen long enough to look at
    kiosk.open_sale()
    kiosk.shopper("challenge")
    kiosk.wait_for(Screen.CHALLENGE)
    assert "Turn your head left" in kiosk.texts()
    kiosk.wait_for(Screen.CONFIRM)


def test_camera_that_cannot_open_falls_back_to_pin(kiosk: Kiosk) -> None:
    kiosk.camera.fail = True
    kiosk.open_sale()
    kiosk.shopper("anna")
    kiosk.wait_for(Screen.CUSTOMER)
    assert any("camera isn't available" in t for t in kiosk.texts())


def test_camera_that_stops_mid_scan_falls_back_to_pin(kiosk: Kiosk) -> None:
    kiosk.camera.frames = 2
    kiosk.open_sale()
    kiosk.shopper("nobody")
    kiosk.wait_for(Screen.CUSTOMER)


def test_ledger_unreachable_is_declined_with_the_reason(kiosk: Kiosk) -> None:
    kiosk.payments.unreachable = True
    kiosk.open_sale()
    kiosk.shopper("anna")
    kiosk.wait_for(Screen.CONFIRM)
    kiosk.touch("Pay")
    kiosk.wait_for(Screen.RESULT)
    assert "Payment not completed" in kiosk.texts()
    assert any("cannot be reached, so this payment was not sent" in t for t in kiosk.texts())


def test_wrong_cashier_pin_is_refused(kiosk: Kiosk) -> None:
    kiosk.key(Qt.Key.Key_F2)
    kiosk.wait_for(Screen.STAFF)
    kiosk.keys(CASHIER_ID)
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.PIN)
    view = kiosk.window.machine
    assert view.state.value == "cashier_login"
    kiosk.keys("1111")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(lambda: "Wrong PIN for cashier 1001." in kiosk.texts())  # type: ignore[attr-defined]
    kiosk.keys(CASHIER_PIN)
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.CASHIER)
    kiosk.touch("Lock terminal")
    kiosk.wait_for(Screen.LOCKED)
    assert "Checkout closed" in kiosk.texts()
    kiosk.touch("Staff (F2)")
    kiosk.wait_for(Screen.STAFF)
    assert any("locked" in t for t in kiosk.texts())
    kiosk.key(Qt.Key.Key_Escape)
    kiosk.wait_for(Screen.LOCKED)


def test_cancel_during_scan_stops_the_camera(kiosk: Kiosk) -> None:
    kiosk.open_sale()
    kiosk.shopper("nobody")
    kiosk.wait_for(Screen.SCAN)
    kiosk.qtbot.waitUntil(lambda: kiosk.analyser.calls > 2)  # type: ignore[attr-defined]
    kiosk.touch("Cancel")
    kiosk.wait_for(Screen.SALE)
    kiosk.qtbot.wait(300)  # type: ignore[attr-defined]
    calls = kiosk.analyser.calls
    kiosk.qtbot.wait(300)  # type: ignore[attr-defined]
    assert kiosk.analyser.calls == calls


def test_pin_view_type_is_what_the_pad_renders() -> None:
    assert PinView(False, "Enter your PIN").attempts_left is None


def test_recorder_saves_each_screen_and_timing_is_reported(kiosk: Kiosk, tmp_path) -> None:
    from terminal_ui import ScreenRecorder

    recorder = ScreenRecorder(kiosk.window, tmp_path)
    kiosk.window.screen_shown.connect(recorder.on_screen)
    kiosk.open_sale()
    kiosk.shopper("anna")
    kiosk.wait_for(Screen.CONFIRM)
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.RESULT)
    kiosk.qtbot.waitUntil(lambda: all(p.exists() for p in recorder.saved))  # type: ignore[attr-defined]
    screens = [p.stem.split("-", 1)[1] for p in recorder.saved]
    passed = [s for i, s in enumerate(screens) if i == 0 or screens[i - 1] != s]
    assert passed == [
        "staff",
        "pin",
        "busy",
        "cashier",
        "amount",
        "sale",
        "scan",
        "confirm",
        "busy",
        "result",
    ]
    assert recorder.saved[0].name == "01-staff.png"
    elapsed = kiosk.window.face_to_result_s
    assert elapsed is not None and elapsed > 0


def test_stall_meter_sees_a_blocked_gui_thread(kiosk: Kiosk) -> None:
    import time

    kiosk.window.controller.stall.reset()
    kiosk.qtbot.wait(50)  # type: ignore[attr-defined]
    time.sleep(0.3)  # a blocking call on the GUI thread, the thing the meter exists to catch
    kiosk.qtbot.wait(50)  # type: ignore[attr-defined]
    assert kiosk.window.longest_stall_ms >= 250


def test_a_locked_cashier_sees_the_minutes_left_and_another_cashier_signs_in(kiosk: Kiosk) -> None:
    kiosk.payments.locked["1002"] = 11 * 60 + 30
    kiosk.key(Qt.Key.Key_F2)
    kiosk.wait_for(Screen.STAFF)
    kiosk.touch("1002")  # the shop's cashiers are listed
    kiosk.wait_for(Screen.PIN)
    assert kiosk.shows("PIN of cashier 1002")
    kiosk.keys("2580")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.STAFF)
    kiosk.qtbot.waitUntil(  # type: ignore[attr-defined]
        lambda: kiosk.shows("Cashier 1002 is locked for 12 more minutes.")
    )
    kiosk.touch("1001")
    kiosk.wait_for(Screen.PIN)
    kiosk.keys(CASHIER_PIN)
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.CASHIER)
    assert kiosk.payments.sign_ins == ["1002", "1001"]


def test_the_kiosk_makes_repeated_wrong_staff_pins_wait(kiosk: Kiosk) -> None:
    kiosk.key(Qt.Key.Key_F2)
    kiosk.wait_for(Screen.STAFF)
    kiosk.keys(CASHIER_ID)
    kiosk.key(Qt.Key.Key_Return)
    for _ in range(2):
        kiosk.wait_for(Screen.PIN)
        kiosk.keys("0000")
        kiosk.key(Qt.Key.Key_Return)
        kiosk.qtbot.waitUntil(lambda: kiosk.shows("Wrong PIN for cashier 1001."))  # type: ignore[attr-defined]
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("before the next try"))  # type: ignore[attr-defined]
    pad = kiosk.window.current_widget
    assert not pad.keypad.isEnabled()  # type: ignore[attr-defined]
    kiosk.keys(CASHIER_PIN)  # typed during the wait: not taken
    kiosk.key(Qt.Key.Key_Return)
    kiosk.qtbot.wait(200)  # type: ignore[attr-defined]
    assert kiosk.payments.sign_ins == ["1001", "1001"] and kiosk.screen is Screen.PIN
