"""The yardstick: a bare FastAPI endpoint returning a small JSON object, nothing else."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def root() -> dict[str, str]:
    return {"status": "ok", "service": "bare"}
