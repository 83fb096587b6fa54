"""Staff requests at the ledger: a cashier signing in, a face enrolment linked to its account,
a face link erased. Nothing here moves money, so nothing is journalled; each request is sent
with one idempotency key and retried (:class:`Retry`) while the ledger cannot be reached."""

from __future__ import annotations

from typing import Any

from payments._checks import ENROLMENT_CODE_DIGITS, InvalidPayment, check_id, check_pin, new_key
from payments._retry import Retry
from payments.client import LedgerClient, LedgerEnrolment, LedgerErasure
from payments.pinblock import encrypt_pin, pin_context
from payments.wire import json_bytes

__all__ = ["StaffDesk"]

_CASHIER_PIN = "a cashier PIN is 4 to 12 digits"
_SHOPPER_PIN = "the shopper's PIN is 4 to 12 digits"


class StaffDesk:
    """Staff requests of one terminal over its ledger client. Methods block (HTTP)."""

    def __init__(self, client: LedgerClient, retry: Retry) -> None:
        self.client = client
        self.retry = retry

    def _block(self, secret: str, key: str, subject: str) -> dict[str, object]:
        """``secret`` as a PIN block bound to this request (``key``) and to ``subject``."""
        return encrypt_pin(
            self.client.pin_key(), secret, context=pin_context(self.client.terminal_id, key, subject)
        )

    def verify_cashier(self, cashier_id: str, pin: str) -> None:
        """Sign ``cashier_id`` in: returns when the ledger accepts ``pin`` (audited, counted
        towards that cashier's lockout). Nothing is journalled: nothing moves.

        Raises InvalidPayment (malformed id or PIN: nothing is sent), Declined (``wrong_pin``,
        ``pin_locked`` with ``retry_after_s`` in its details, ``unknown_cashier``),
        LedgerUnreachable or LedgerRefused.
        """
        check_id(cashier_id, "cashier id")
        check_pin(pin, _CASHIER_PIN)
        key = new_key()
        body = json_bytes({"cashier_id": cashier_id, "cashier_pin": self._block(pin, key, cashier_id)})
        self.client.verify_cashier(body, key)

    def enrol_customer(
        self,
        customer_id: str,
        pin: str,
        cashier_id: str,
        cashier_pin: str,
        *,
        consent_version: str,
        enrolment_code: str | None = None,
    ) -> LedgerEnrolment:
        """Link a shopper's face enrolment to their account, with the account holder's proof and
        a cashier's authority. Without ``enrolment_code``, ``pin`` is the account's existing PIN
        (it is not changed); with it (the one-time code the operator issued, 10 digits), ``pin``
        is the new PIN it sets. Every secret travels as a PIN block bound to this request (the
        code's subject is ``customer_id + "#code"``). Nothing is journalled (no money moves);
        retried with one key while the ledger cannot be reached.

        Raises InvalidPayment (malformed id, PIN or code), Declined (the ledger's final refusal:
        the shopper's ``wrong_pin``/``pin_locked``, ``bad_enrolment_code``, ``proof_required``,
        the cashier's ``wrong_pin``/``pin_locked``/``unknown_cashier``, ``unknown_customer``,
        ``customer_disabled``), LedgerUnreachable or LedgerRefused.
        """
        check_id(customer_id, "customer id")
        check_id(cashier_id, "cashier id")
        check_pin(pin, _SHOPPER_PIN)
        check_pin(cashier_pin, _CASHIER_PIN)
        if enrolment_code is not None and not (
            enrolment_code.isascii()
            and enrolment_code.isdigit()
            and len(enrolment_code) == ENROLMENT_CODE_DIGITS
        ):
            raise InvalidPayment(f"an enrolment code is {ENROLMENT_CODE_DIGITS} digits")
        if not consent_version.strip():
            raise InvalidPayment("no enrolment without a consent version")
        key = new_key()
        fields: dict[str, Any] = {
            "customer_id": customer_id,
            "consent_version": consent_version,
            "cashier_id": cashier_id,
            "pin": self._block(pin, key, customer_id),
            "cashier_pin": self._block(cashier_pin, key, cashier_id),
        }
        if enrolment_code is not None:
            fields["enrolment_code"] = self._block(enrolment_code, key, customer_id + "#code")
        body = json_bytes(fields)
        return self.retry.run(lambda: self.client.enrol(body, key), what="an enrolment")

    def erase_customer_link(
        self,
        customer_id: str,
        *,
        pin: str | None = None,
        cashier_id: str | None = None,
        cashier_pin: str | None = None,
        reason: str = "",
    ) -> LedgerErasure:
        """Erase the shopper's face link at the ledger (the account, its money, name and PIN stay);
        the ledger's audit receipt. It needs the shopper's ``pin`` or a cashier of the merchant
        where the face was enrolled (the ledger checks both). Raises as :meth:`enrol_customer`
        (``proof_required`` when neither proves the right).
        """
        check_id(customer_id, "customer id")
        key = new_key()
        fields: dict[str, Any] = {"reason": reason} if reason else {}
        if pin is not None:
            check_pin(pin, _SHOPPER_PIN)
            fields["pin"] = self._block(pin, key, customer_id)
        if cashier_id is not None or cashier_pin is not None:
            check_id(cashier_id or "", "cashier id")
            if cashier_pin is None:
                raise InvalidPayment(_CASHIER_PIN)
            check_pin(cashier_pin, _CASHIER_PIN)
            assert cashier_id is not None
            fields["cashier_id"] = cashier_id
            fields["cashier_pin"] = self._block(cashier_pin, key, cashier_id)
        body = json_bytes(fields)
        return self.retry.run(lambda: self.client.erase_enrolment(customer_id, body, key), what="an erasure")
