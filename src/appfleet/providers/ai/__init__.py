"""AI text and voice: any OpenAI-compatible chat-completions endpoint, a local generator that
composes real messages from the request's facts (the default, and the fallback), ElevenLabs
and espeak-ng for speech."""
