"""Uploads under every app prefix: presigned uploads straight to storage under
`{app}/private/{user_id}/{purpose}/`, checked once complete (size, type, quota), time-limited
download links for the owner, a resized WebP variant of images, and erasure with the account."""
