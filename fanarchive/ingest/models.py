"""Where each work came from, kept so nothing a source said is ever lost."""

from django.db import models

from fanarchive.works.models import Work


class Provenance(models.Model):
    """One import that created or changed a work: the file, its hash, the importer,
    and every header field exactly as the source wrote it."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="provenance")
    source_path = models.TextField(db_index=True, help_text="Absolute path of the file read.")
    file_name = models.TextField()
    content_hash = models.CharField(max_length=64, db_index=True, help_text="SHA-256 of the file.")
    importer = models.CharField(max_length=50)
    importer_version = models.CharField(max_length=20)
    fields = models.JSONField(default=list, help_text="[[key, value], ...] as written.")
    reviews = models.JSONField(
        default=list,
        blank=True,
        help_text="Reviews on the archive the work came from, kept until comments exist: "
        '[{"reviewer", "text", "posted", "chapter"}, ...].',
    )
    imported = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported", "-id"]
        verbose_name_plural = "provenance"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.importer} {self.importer_version})"


class TextFingerprint(models.Model):
    """A work's MinHash signature (`lib/minhash.py`): how a copy of a stored story that
    shares no source URL or file with it is recognised."""

    work = models.OneToOneField(
        Work, on_delete=models.CASCADE, primary_key=True, related_name="fingerprint"
    )
    signature = models.BinaryField()

    def __str__(self) -> str:
        return f"fingerprint of work {self.work_id}"


class FingerprintBand(models.Model):
    """One lookup key of a work's signature: works sharing a key are compared."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="fingerprint_bands")
    key = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"band {self.key} of work {self.work_id}"
