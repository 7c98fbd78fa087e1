"""Speech: ElevenLabs text-to-speech over HTTP when configured, espeak-ng when the Debian
package is installed, or none (the caller answers with text only)."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx2

from appfleet.providers.ai.base import ModelFailed

ESPEAK_VOICES = {"en": "en-us", "es": "es", "fr": "fr-fr", "de": "de"}


@dataclass(frozen=True, slots=True)
class Speech:
    audio: bytes
    content_type: str
    extension: str
    source: str


class Voice(Protocol):
    name: str

    async def speak(self, text: str, language: str) -> Speech: ...


class ElevenLabsVoice:
    name = "elevenlabs"

    def __init__(
        self,
        http: httpx2.AsyncClient,
        *,
        base_url: str,
        api_key: str,
        voice_id: str,
        model_id: str,
        timeout_s: float,
    ) -> None:
        self._http, self._base, self._key = http, base_url.rstrip("/"), api_key
        self._voice, self._model, self._timeout = voice_id, model_id, timeout_s

    async def speak(self, text: str, language: str) -> Speech:
        try:
            response = await self._http.post(
                f"{self._base}/v1/text-to-speech/{self._voice}",
                params={"output_format": "mp3_44100_128"},
                json={
                    "text": text,
                    "model_id": self._model,
                    "language_code": language,
                    "voice_settings": {"stability": 0.5, "similarity_boost": 0.75},
                },
                headers={"xi-api-key": self._key, "Accept": "audio/mpeg"},
                timeout=self._timeout,
            )
        except httpx2.TransportError as exc:
            raise ModelFailed(f"ElevenLabs unreachable: {type(exc).__name__}") from exc
        kind = response.headers.get("content-type", "")
        if response.status_code != 200 or not kind.startswith("audio/"):
            raise ModelFailed(f"ElevenLabs {response.status_code}: {response.text[:200]}")
        return Speech(response.content, "audio/mpeg", ".mp3", self.name)


class EspeakVoice:
    name = "espeak"

    def __init__(self, executable: str, timeout_s: float) -> None:
        self._executable, self._timeout = executable, timeout_s

    @staticmethod
    def available(executable: str) -> bool:
        return shutil.which(executable) is not None

    async def speak(self, text: str, language: str) -> Speech:
        voice = ESPEAK_VOICES.get(language, "en-us")
        with tempfile.TemporaryDirectory() as directory:
            out = Path(directory) / "speech.wav"  # -w writes a WAV with correct sizes
            arguments = ["-v", voice, "-s", "155", "-w", str(out), "--", text]
            try:
                process = await asyncio.create_subprocess_exec(
                    self._executable,
                    *arguments,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                )
            except OSError as exc:  # uninstalled since start-up
                raise ModelFailed(f"espeak-ng cannot run: {exc}") from exc
            try:
                _, errors = await asyncio.wait_for(process.communicate(), self._timeout)
            except TimeoutError:
                process.kill()
                await process.wait()
                raise ModelFailed("espeak-ng took too long") from None
            if process.returncode != 0:
                raise ModelFailed(f"espeak-ng failed: {errors.decode(errors='replace')[:200]}")
            audio = await asyncio.to_thread(out.read_bytes)
        return Speech(audio, "audio/wav", ".wav", self.name)
