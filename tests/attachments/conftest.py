import shutil
import subprocess

import pytest


def pytest_report_header(config):
    if shutil.which("ffprobe") is None:
        return "attachments: ffprobe is missing, the video tests are skipped"
    return None


@pytest.fixture(scope="session")
def videos(tmp_path_factory) -> dict[str, bytes]:
    """One-second test pictures as MP4, WebM and MOV, made once per session by ffmpeg."""
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        pytest.skip("ffmpeg/ffprobe missing: video tests skipped (make test installs ffmpeg)")
    folder = tmp_path_factory.mktemp("videos")
    made = {}
    codecs = {
        "mp4": ["-c:v", "libx264", "-pix_fmt", "yuv420p"],
        "webm": ["-c:v", "libvpx", "-b:v", "100k"],
        "mov": ["-c:v", "mpeg4"],
    }
    for ext, codec in codecs.items():
        path = folder / f"clip.{ext}"
        subprocess.run(  # noqa: S603
            [
                shutil.which("ffmpeg"),
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=1:size=96x64:rate=10",
                *codec,
                "-y",
                str(path),
            ],
            check=True,
            timeout=60,
        )
        made[ext] = path.read_bytes()
    return made
