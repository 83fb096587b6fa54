"""Sound cues: "your turn", approved, declined, and the audio-guided PIN pad's beeps.

The tones are made here (a few sine notes written as 16-bit WAV files once per process) and
played by the system's own player in a child process (``pw-play``, ``paplay`` or ``aplay``),
so a cue never blocks the GUI thread and needs no extra Python package. QtMultimedia's
``QSoundEffect`` is not in ``pyside6-essentials``: it needs ``pyside6-addons``, whose 6.12.0
wheel is 59.2 MB to download and 160.6 MB installed (``pip download pyside6-addons==6.12.0
--no-deps`` and the sum of its members' sizes), for three beeps; Debian's ``alsa-utils``
(``aplay``) is 1.1 MB, 2.5 MB installed (``apt-cache show alsa-utils``). A kiosk with
no player or no sound device stays silent: a cue that cannot play is logged once at debug
level and never raises. Every cue is also announced on ``Cues.played`` (tests, and a screen
reader bridge could speak it).
"""

from __future__ import annotations

import enum
import logging
import math
import shutil
import struct
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

__all__ = ["PLAYERS", "RATE_HZ", "Cue", "Cues", "find_player", "tone_wav"]

log = logging.getLogger(__name__)

RATE_HZ = 16000  # plenty for beeps below 2 kHz, and small files
PLAYERS: tuple[tuple[str, ...], ...] = (("pw-play",), ("paplay",), ("aplay", "-q"))


class Cue(enum.Enum):
    """What a sound means. The value is its notes: (frequency Hz, seconds) each."""

    YOUR_TURN = ((660, 0.12), (880, 0.16))  # rising: something to do
    APPROVED = ((784, 0.12), (1047, 0.12), (1319, 0.22))  # rising major chord: done
    DECLINED = ((440, 0.22), (330, 0.32))  # falling: not paid
    DIGIT = ((1000, 0.05),)  # one short tick per PIN digit (never its value)
    ERASE = ((520, 0.07),)  # a lower tick: one digit removed
    COUNT = ((880, 0.08), (0, 0.08))  # one beep (and a pause) per digit when the count is read out


def tone_wav(notes: Sequence[tuple[int, float]], path: Path, repeat: int = 1) -> Path:
    """Write ``notes`` (``repeat`` times) as a mono 16-bit WAV at ``path``; frequency 0 is silence.
    Each note fades in and out over 5 ms so it does not click."""
    frames = bytearray()
    fade = int(RATE_HZ * 0.005)
    for freq, seconds in list(notes) * repeat:
        n = int(RATE_HZ * seconds)
        for i in range(n):
            gain = min(1.0, i / fade, (n - 1 - i) / fade) if fade else 1.0
            value = 0.4 * gain * math.sin(2 * math.pi * freq * i / RATE_HZ) if freq else 0.0
            frames += struct.pack("<h", int(value * 32767))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE_HZ)
        out.writeframes(bytes(frames))
    return path


def find_player() -> tuple[str, ...] | None:
    """The first sound player on PATH, None when there is none."""
    for command in PLAYERS:
        if shutil.which(command[0]):
            return command
    return None


class Cues(QObject):
    """Plays cues without waiting for them. ``enabled`` False: no sound, no signal."""

    played = Signal(object, int)  # the Cue and its repeat count, whether a player could sound it

    def __init__(
        self,
        *,
        enabled: bool = True,
        player: Sequence[str] | None = None,
        folder: Path | None = None,
    ) -> None:
        super().__init__()
        self.enabled = enabled
        self.player = tuple(player) if player is not None else find_player()
        self._folder = folder
        self._files: dict[tuple[Cue, int], Path] = {}
        self._warned = False

    def play(self, cue: Cue, repeat: int = 1) -> None:
        """Sound ``cue`` (``repeat`` times in one sound); silent when disabled or unplayable."""
        if not self.enabled or repeat < 1:
            return
        self.played.emit(cue, repeat)
        if self.player is None:
            self._quiet("no sound player (tried %s)", ", ".join(p[0] for p in PLAYERS))
            return
        try:
            path = self._file(cue, repeat)
            subprocess.Popen(
                [*self.player, str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            self._quiet("sound cue %s not played: %s", cue.name, exc)

    def _file(self, cue: Cue, repeat: int) -> Path:
        if (cue, repeat) not in self._files:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="facepay-cues-"))
            path = self._folder / f"{cue.name.lower()}-{repeat}.wav"
            self._files[(cue, repeat)] = tone_wav(cue.value, path, repeat)
        return self._files[(cue, repeat)]

    def _quiet(self, message: str, *args: object) -> None:
        if not self._warned:
            log.debug(message, *args)
            self._warned = True
