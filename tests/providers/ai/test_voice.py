"""Speech: ElevenLabs against a local stand-in, and the real espeak-ng (Debian's package,
installed by CI)."""

from __future__ import annotations

import os
import shutil

import httpx2
import pytest

from appfleet.providers.ai.base import ModelFailed
from appfleet.providers.ai.voice import ElevenLabsVoice, EspeakVoice
from tests.fixtures.ai import FakeElevenLabs
from tests.fixtures.services import REQUIRE_VARIABLE, services_required

pytestmark = pytest.mark.anyio


def eleven(fake: FakeElevenLabs, http: httpx2.AsyncClient, key: str = "el-key") -> ElevenLabsVoice:
    return ElevenLabsVoice(
        http,
        base_url=fake.url,
        api_key=key,
        voice_id="coach_friendly",
        model_id="eleven_multilingual_v2",
        timeout_s=5,
    )


async def test_elevenlabs_turns_text_into_mp3(elevenlabs_server: FakeElevenLabs) -> None:
    async with httpx2.AsyncClient() as http:
        speech = await eleven(elevenlabs_server, http).speak("No excuses today!", "en")
    assert (speech.content_type, speech.extension, speech.source) == (
        "audio/mpeg",
        ".mp3",
        "elevenlabs",
    )
    assert speech.audio.startswith(b"\xff\xfb")
    [(path, headers, body)] = elevenlabs_server.requests
    assert path == "/v1/text-to-speech/coach_friendly?output_format=mp3_44100_128"
    assert headers["xi-api-key"] == "el-key"
    assert body["text"] == "No excuses today!" and body["model_id"] == "eleven_multilingual_v2"


async def test_elevenlabs_refusals_are_failures(elevenlabs_server: FakeElevenLabs) -> None:
    async with httpx2.AsyncClient() as http:
        with pytest.raises(ModelFailed, match="401"):
            await eleven(elevenlabs_server, http, key="wrong").speak("Hi", "en")
        elevenlabs_server.status = 429
        with pytest.raises(ModelFailed, match="429"):
            await eleven(elevenlabs_server, http).speak("Hi", "en")


@pytest.fixture
def espeak() -> str:
    found = shutil.which("espeak-ng")
    if found is None:
        reason = "espeak-ng is not installed (Debian package espeak-ng)"
        if services_required():
            pytest.fail(f"{reason}; CI installs it ({REQUIRE_VARIABLE}=1)", pytrace=False)
        pytest.skip(reason)
    return found


async def test_espeak_speaks_every_supported_language(espeak: str) -> None:
    voice = EspeakVoice(espeak, timeout_s=20)
    for language in ("en", "es", "fr", "de"):
        speech = await voice.speak("Keep going, one step at a time.", language)
        assert speech.content_type == "audio/wav"
        assert speech.audio[:4] == b"RIFF" and speech.audio[8:12] == b"WAVE"
        declared = int.from_bytes(speech.audio[4:8], "little") + 8
        assert declared == len(speech.audio)  # a finished file, not a stream placeholder
        assert len(speech.audio) > 10_000


async def test_a_missing_espeak_fails_clearly(tmp_path: os.PathLike[str]) -> None:
    voice = EspeakVoice(str(tmp_path) + "/espeak-ng-missing", timeout_s=5)
    with pytest.raises(ModelFailed, match="cannot run"):
        await voice.speak("hello", "en")
