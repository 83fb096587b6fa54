"""Sound cues: made here, played by the system's player without waiting, silent (never
failing) without one; the kiosk sounds the shopper's turn and the outcome."""

from __future__ import annotations

import wave
from pathlib import Path

from PySide6.QtCore import Qt

from checkout import Screen
from terminal_ui.audio import RATE_HZ, Cue, Cues, tone_wav
from tests.terminal_ui.conftest import Kiosk


def test_a_cue_is_a_short_wav_of_its_notes(tmp_path: Path) -> None:
    path = tone_wav(Cue.APPROVED.value, tmp_path / "approved.wav")
    with wave.open(str(path)) as sound:
        assert (sound.getnchannels(), sound.getsampwidth(), sound.getframerate()) == (1, 2, RATE_HZ)
        seconds = sound.getnframes() / RATE_HZ
    assert abs(seconds - sum(s for _, s in Cue.APPROVED.value)) < 0.01
    counted = tone_wav(Cue.COUNT.value, tmp_path / "count.wav", repeat=4)
    with wave.open(str(counted)) as sound:
        assert abs(sound.getnframes() / RATE_HZ - 4 * 0.16) < 0.01


def test_the_system_player_gets_the_file(qtbot: object, tmp_path: Path) -> None:
    log = tmp_path / "played.txt"
    player = tmp_path / "player.sh"
    player.write_text(f'#!/bin/sh\necho "$1" >> {log}\n', encoding="utf-8")
    player.chmod(0o755)
    cues = Cues(player=[str(player)], folder=tmp_path)
    cues.play(Cue.DECLINED)
    qtbot.waitUntil(log.exists, timeout=5000)  # type: ignore[attr-defined]
    played = Path(log.read_text(encoding="utf-8").strip())
    assert played.name == "declined-1.wav" and played.stat().st_size > 10_000


def test_no_player_or_a_broken_one_stays_silent(qtbot: object, tmp_path: Path) -> None:
    heard: list[object] = []
    for player in (None, ["/nonexistent/player"], [str(tmp_path)]):  # missing, absent, not executable
        cues = Cues(player=player, folder=tmp_path)
        if player is None:
            cues.player = None
        cues.played.connect(lambda cue, n: heard.append(cue))
        cues.play(Cue.YOUR_TURN)  # must not raise
    assert heard == [Cue.YOUR_TURN] * 3
    off = Cues(enabled=False, player=["/nonexistent/player"])
    off.played.connect(lambda cue, n: heard.append(cue))
    off.play(Cue.APPROVED)
    assert len(heard) == 3


def test_the_kiosk_sounds_your_turn_approved_and_declined(kiosk: Kiosk) -> None:
    heard: list[Cue] = []
    kiosk.window.cues.player = None
    kiosk.window.cues.played.connect(lambda cue, n: heard.append(cue))
    kiosk.open_sale("1250")
    assert heard == [Cue.YOUR_TURN]  # the sale waits for the shopper (the cashier's PIN pad is silent)
    kiosk.shopper("anna")
    kiosk.wait_for(Screen.CONFIRM)
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.RESULT)
    assert heard == [Cue.YOUR_TURN, Cue.YOUR_TURN, Cue.APPROVED]
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.IDLE)
    kiosk.open_sale("500")
    kiosk.shopper("photo")
    kiosk.wait_for(Screen.RESULT)
    assert heard[-1] is Cue.DECLINED
