"""Fidelity patches for moto 5.2.1, applied in-process before its server starts.

Each patch reproduces an AWS behaviour moto lacks, quotes the AWS documentation
it follows, and has a test in scripts/emulator/test_patches.py that fails on
plain moto. See docs/design/EMULATOR.md.
"""

import sys

import moto

TESTED_MOTO_VERSION = "5.2.1"

_applied: list = []


def apply() -> list:
    """Apply every patch once; returns the names of the patches applied."""
    if _applied:
        return list(_applied)
    if moto.__version__ != TESTED_MOTO_VERSION:
        print(
            f"containerapp emulator: WARNING: patches were written against moto {TESTED_MOTO_VERSION}, "
            f"this is moto {moto.__version__}; run scripts/emulator/run_tests.sh",
            file=sys.stderr,
            flush=True,
        )
    from . import applicationautoscaling, ec2, ecr, ecs, elbv2, servicediscovery

    for module in (ec2, ecs, servicediscovery, elbv2, applicationautoscaling, ecr):
        _applied.extend(module.apply())
    return list(_applied)
