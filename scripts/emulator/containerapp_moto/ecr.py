"""ECR: a push into a repository that scans on push starts the image's scan.

Patched (moto 5.2.1, moto/ecr/models.py):
  ECRBackend.put_image

AWS, Scan images for software vulnerabilities in Amazon ECR (basic
scanning): "Each repository can be configured to scan on push. This ensures
that each new image pushed to the repository is scanned." and
DescribeImageScanFindings returns the scan's status and findings from then
on. moto starts a scan only through StartImageScan: an image pushed into a
scan-on-push repository has no scan (DescribeImageScanFindings answers
ScanNotFoundException), and a StartImageScan right after the push succeeds
where AWS refuses it ("A basic image scan can only be started once per 24
hours on an individual image. This limit includes if an image was scanned
on initial push.", StartImageScan: LimitExceededException).

The patch marks a newly pushed image as scanned at push time when the
repository scans on push: its scanOnPush setting, or, when the registry's
scanning configuration has rules (which override the repository setting,
PutRegistryScanningConfiguration), the scan frequency they give it
(SCAN_ON_PUSH or CONTINUOUS_SCAN). The scan completes at once, as moto's
StartImageScan's does.
"""

from datetime import datetime
from typing import Any

from moto.ecr import models as ecr_models

Backend = ecr_models.ECRBackend
_orig_put_image = Backend.put_image


def _scans_on_push(backend: Backend, repo: Any) -> bool:
    if backend.registry_scanning_configuration.get("rules"):
        return repo.scanning_config.get("scanFrequency") in ("SCAN_ON_PUSH", "CONTINUOUS_SCAN")
    return bool((repo.image_scanning_configuration or {}).get("scanOnPush"))


def put_image(self: Backend, repository_name: str, image_manifest: str, image_tag: str,
              image_manifest_mediatype: Any = None, digest: Any = None) -> Any:
    image = _orig_put_image(
        self,
        repository_name=repository_name,
        image_manifest=image_manifest,
        image_tag=image_tag,
        image_manifest_mediatype=image_manifest_mediatype,
        digest=digest,
    )
    repo = self.repositories.get(repository_name)
    if repo is not None and image.last_scan is None and _scans_on_push(self, repo):
        image.last_scan = datetime.today()  # as moto's StartImageScan records it
    return image


def apply() -> list:
    Backend.put_image = put_image
    return ["ecr-scan-on-push"]
