from __future__ import annotations

import httpx2

from appfleet.core.clock import Clock
from appfleet.core.database import Database
from appfleet.core.registry import AppRegistry
from appfleet.core.settings import AiSettings
from appfleet.platform.ai.service import AiService
from appfleet.providers.ai.base import TextModel
from appfleet.providers.ai.local import LocalModel
from appfleet.providers.ai.voice import ElevenLabsVoice, EspeakVoice, Voice
from appfleet.runtime.cache import Cache
from appfleet.runtime.limits import LimitBook


def ai_service(
    settings: AiSettings,
    db: Database,
    cache: Cache,
    clock: Clock,
    http: httpx2.AsyncClient,
    registry: AppRegistry,
    limits: LimitBook | None = None,
) -> AiService:
    """The AI service as configured: the model (if any), the voice (if any), and the local
    generator with the mounted apps' composers."""
    model: TextModel | None = None
    if settings.provider == "openai" and settings.api_key is not None:
        # Imported here: the OpenAI SDK alone costs ~0.4 s of start-up (serverless cold starts).
        from appfleet.providers.ai.openai_compat import OpenAICompatible

        model = OpenAICompatible(
            base_url=settings.base_url,
            api_key=settings.api_key.get_secret_value(),
            model=settings.model,
            timeout_s=settings.timeout_s,
            http=http,
        )
    composers = {
        purpose: composer
        for manifest in registry.manifests.values()
        for purpose, composer in manifest.ai_composers.items()
    }
    return AiService(
        settings,
        db,
        cache,
        clock,
        model=model,
        voice=voice_from(settings, http),
        local=LocalModel(composers),
        limits=limits,
    )


def voice_from(settings: AiSettings, http: httpx2.AsyncClient) -> Voice | None:
    wants = settings.voice
    if wants in ("auto", "elevenlabs") and settings.elevenlabs_api_key is not None:
        return ElevenLabsVoice(
            http,
            base_url=settings.elevenlabs_url,
            api_key=settings.elevenlabs_api_key.get_secret_value(),
            voice_id=settings.elevenlabs_voice_id,
            model_id=settings.elevenlabs_model,
            timeout_s=settings.timeout_s,
        )
    if wants in ("auto", "espeak") and EspeakVoice.available(settings.espeak_path):
        return EspeakVoice(settings.espeak_path, settings.timeout_s)
    return None
