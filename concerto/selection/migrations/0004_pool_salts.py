import hashlib
import json
import secrets

from django.db import migrations


def _sha256(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                          .encode("utf-8")).hexdigest()


def add_salts(apps, schema_editor):
    """Pools snapshotted before the public file hid answers (F8) get a secret salt per volunteer,
    and their published hash becomes the hash of the commitments (as computed now, see
    ``algorithms.audit``). The previous hash stays in the journal entries of the computation."""
    Selection = apps.get_model("selection", "Selection")
    for selection in Selection.objects.only("pk", "pool"):
        pool = list(selection.pool or [])
        if not pool or all(p.get("salt") for p in pool):
            continue
        commitments = []
        for entry in pool:
            entry.setdefault("salt", secrets.token_hex(16))
            features = {str(k): str(v) for k, v in (entry.get("features") or {}).items()}
            commitments.append({"commitment": _sha256({"features": features, "id": entry["id"], "salt": entry["salt"]}),
                                "id": entry["id"]})
        digest = _sha256(sorted(commitments, key=lambda e: e["id"]))
        Selection.objects.filter(pk=selection.pk).update(pool=pool, pool_sha256=digest)


class Migration(migrations.Migration):

    dependencies = [
        ("selection", "0003_volunteer_kept_after_account_deletion"),
    ]

    operations = [
        migrations.RunPython(add_salts, migrations.RunPython.noop),
    ]
