"""Object storage for user media: local disk (URLs signed by us, served by appfleet) or any
S3-compatible store (R2, MinIO, AWS) through presigned URLs. Uploads go straight from the phone
to the store; the server only signs, then checks what arrived."""
