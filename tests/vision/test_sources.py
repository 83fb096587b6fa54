from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from vision import ImageFolderSource, SourceError, SourceLost, VideoSource, open_source


def write_video(path: Path, frames: int, size: tuple[int, int] = (160, 120)) -> None:
    out = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"FFV1"), 10.0, size)
    assert out.isOpened()
    for i in range(frames):
        img = np.full((size[1], size[0], 3), (i * 7) % 255, np.uint8)
        out.write(img)
    out.release()


def test_video_file_yields_every_frame_then_ends(tmp_path: Path) -> None:
    path = tmp_path / "cam.mkv"
    write_video(path, 12)
    with open_source(str(path)) as src:
        frames = list(src)
    assert len(frames) == 12
    assert frames[0].image.shape == (120, 160, 3) and frames[-1].index == 11


def test_looping_video_never_runs_dry(tmp_path: Path) -> None:
    path = tmp_path / "cam.mkv"
    write_video(path, 5)
    src = VideoSource(path, loop=True)
    got = [f.index for _, f in zip(range(13), src, strict=False)]
    assert got == list(range(13))


def test_truncated_video_is_a_lost_camera(tmp_path: Path) -> None:
    path = tmp_path / "cam.mkv"
    write_video(path, 60, size=(320, 240))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    src = VideoSource(path)
    with pytest.raises(SourceLost, match="stopped delivering"):
        for _ in src:
            pass


def test_image_folder_skips_corrupt_files_and_notices_removal(tmp_path: Path, dev_faces: Path) -> None:
    folder = tmp_path / "cam"
    folder.mkdir()
    for name in ("deepface__tests_unit_dataset_img1.jpg", "deepface__tests_unit_dataset_img2.jpg"):
        shutil.copy(dev_faces / name, folder / name)
    (folder / "broken.jpg").write_bytes(b"nope")
    src = ImageFolderSource(folder)
    assert [f.name for f in src] == sorted(
        ["deepface__tests_unit_dataset_img1.jpg", "deepface__tests_unit_dataset_img2.jpg"]
    )
    assert src.skipped == ["broken.jpg"]
    it = iter(ImageFolderSource(folder))
    next(it)
    shutil.rmtree(folder)
    with pytest.raises(SourceLost, match="disappeared"):
        next(it)


def test_glob_source(tmp_path: Path, dev_faces: Path) -> None:
    src = open_source(str(dev_faces / "deepface__tests_unit_dataset_img1*.jpg"))
    assert len({f.name for f in src}) >= 2


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("missing.mkv", "does not exist"),
        ("nowhere", "neither a camera"),
        ("x.txt", "unsupported"),
        ("empty_dir", "no images"),
    ],
)
def test_unusable_sources_say_why(tmp_path: Path, spec: str, message: str) -> None:
    (tmp_path / "x.txt").write_text("hi")
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(SourceError, match=message):
        open_source(str(tmp_path / spec))


def test_missing_camera_index_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="cannot open camera"):
        VideoSource(57)
