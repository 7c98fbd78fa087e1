"""The apps this backend serves. Each is a package with a manifest; none imports another."""

from appfleet.apps.corpfinity.manifest import manifest as corpfinity
from appfleet.apps.fitnudge.manifest import manifest as fitnudge
from appfleet.apps.healthindex.manifest import manifest as healthindex
from appfleet.apps.lowkeymode.manifest import manifest as lowkeymode
from appfleet.apps.pennywise.manifest import manifest as pennywise

MANIFESTS = (corpfinity, fitnudge, lowkeymode, healthindex, pennywise)
