"""Deployment administration: who may administer what (roles granted deployment-wide or for one
app), the `/api/v1/admin` API's caller, and its permission checks."""
