"""Application Auto Scaling: updating a scaling policy keeps the policy.

Patched (moto 5.2.1, moto/applicationautoscaling/models.py):
  ApplicationAutoscalingBackend.put_scaling_policy

AWS, PutScalingPolicy: "Creates or updates a scaling policy for an
Application Auto Scaling scalable target." A Put of an existing policy name
on the same target updates that policy in place: its PolicyARN (which
carries the policy's UUID) is the one the first Put returned. moto builds a
new policy object with a fresh UUID, so the ARN changes on every update.
The patch keeps the ARN of the policy it replaces.
"""

from typing import Any

from moto.applicationautoscaling import models as aas_models

Backend = aas_models.ApplicationAutoscalingBackend
Policy = aas_models.FakeApplicationAutoscalingPolicy
_orig_put_scaling_policy = Backend.put_scaling_policy


def put_scaling_policy(self: Backend, policy_name: str, service_namespace: str, resource_id: str,
                       scalable_dimension: str, policy_body: Any, policy_type: Any) -> Any:
    key = Policy.formulate_key(service_namespace, resource_id, scalable_dimension, policy_name)
    old = self.policies.get(key)
    policy = _orig_put_scaling_policy(
        self,
        policy_name=policy_name,
        service_namespace=service_namespace,
        resource_id=resource_id,
        scalable_dimension=scalable_dimension,
        policy_body=policy_body,
        policy_type=policy_type,
    )
    if old is not None:
        policy.policy_arn = old.policy_arn
    return policy


def apply() -> list:
    Backend.put_scaling_policy = put_scaling_policy
    return ["applicationautoscaling-policy-update-keeps-arn"]
