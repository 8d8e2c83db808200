"""ECS: what CreateService/UpdateService keep, the rules AWS enforces, and
what the tasks of a deployment would do.

Patched (moto 5.2.1, moto/ecs/models.py and moto/ecs/responses.py):
  EC2ContainerServiceResponse.create_service  reads the parameters moto drops
  EC2ContainerServiceBackend.create_service   rules, kept fields, launch type, rollout
  EC2ContainerServiceBackend.update_service   rules, kept fields, new deployments, rollout
  EC2ContainerServiceBackend.describe_services  re-checks deployments waiting for an image
"""

import copy
import json
import math
import re
from os import getenv
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ecs import models as ecs_models
from moto.ecs import responses as ecs_responses
from moto.ecs.exceptions import InvalidParameterException
from moto.moto_api._internal import mock_random

Backend = ecs_models.EC2ContainerServiceBackend
Response = ecs_responses.EC2ContainerServiceResponse

_orig_create_service = Backend.create_service
_orig_update_service = Backend.update_service
_orig_describe_services = Backend.describe_services

# ---------------------------------------------------------------------------
# (a) Fields moto's CreateService drops.
#
# AWS, DescribeServices (API_Service): the service carries
# capacityProviderStrategy, deploymentConfiguration, enableExecuteCommand,
# healthCheckGracePeriodSeconds, enableECSManagedTags, placementConstraints and
# placementStrategy; serviceConnectConfiguration is reported on each
# deployment (API_Deployment: "The details of the Service Connect
# configuration that's used by this deployment."). moto's CreateService reads
# none of them, so they read back empty until an UpdateService sends them.
# ---------------------------------------------------------------------------
KEPT_CREATE_PARAMS = {
    "capacityProviderStrategy": "capacity_provider_strategy",
    "deploymentConfiguration": "deployment_configuration",
    "serviceConnectConfiguration": "service_connect_configuration",
    "enableExecuteCommand": "enable_execute_command",
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "enableECSManagedTags": "enable_ecs_managed_tags",
    "placementConstraints": "placement_constraints",
    "placementStrategy": "placement_strategy",
}

# AWS, CreateService launchType / capacityProviderStrategy: "A service can use
# either a launch type or a capacity provider strategy. If a launchType is
# specified, the capacityProviderStrategy parameter must be omitted." The
# error AWS returns (InvalidParameterException, HTTP 400):
BOTH_LAUNCH_TYPE_AND_STRATEGY = (
    "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again."
)

# AWS returns InvalidParameterException "Creation of service was not
# idempotent." when CreateService names a service that is ACTIVE or DRAINING
# in the cluster. ECS_Idempotency: "If you retry a request that completed
# successfully using the same client token and the same parameters, the retry
# succeeds without performing any further actions."
NOT_IDEMPOTENT = "Creation of service was not idempotent."

# The ECS rolling-update defaults AWS reports when CreateService omits them
# (API_DeploymentConfiguration): "The default value for maximum percent is
# 200%." ... "If the tasks in the service use the Fargate launch type, the
# maximum percent value is not used, although it is returned when describing
# your service." The minimum healthy percent default for a REPLICA service is
# 100%, and the circuit breaker is off unless turned on.
# AWS, CreateService / UpdateService capacityProviderStrategy: "A capacity
# provider must be associated with the cluster to be used in a capacity
# provider strategy. The PutClusterCapacityProviders API is used to associate
# a capacity provider with a cluster." (FARGATE and FARGATE_SPOT included:
# "The Fargate capacity providers are available to all accounts and only need
# to be associated with a cluster to be used.") moto accepts any name. The
# message is the emulator's; AWS answers InvalidParameterException.
NOT_ASSOCIATED = (
    "The specified capacity provider strategy cannot contain a capacity provider that is not associated "
    "with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again."
)


def _check_strategy_associated(cluster: Any, strategy: list | None) -> None:
    associated = set(getattr(cluster, "capacity_providers", None) or [])
    for item in strategy or []:
        if item.get("capacityProvider") not in associated:
            raise InvalidParameterException(NOT_ASSOCIATED)


def _default_deployment_configuration(scheduling_strategy: str) -> dict:
    if scheduling_strategy == "DAEMON":
        maximum, minimum = 100, 0
    else:
        maximum, minimum = 200, 100
    return {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": maximum,
        "minimumHealthyPercent": minimum,
    }


def _merge(base: dict, update: dict | None) -> dict:
    out = copy.deepcopy(base or {})
    for key, value in (update or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# State the emulator keeps on moto's Service objects. moto serialises only the
# members of the AWS shape, so these attributes never reach a response.
#   _cam_request          (clientToken, canonical CreateService parameters)
#   _cam_created_launch_type  the launch type CreateService was sent
#   _cam_waiting          ids of deployments whose tasks wait for their image
def _waiting(service: Any) -> set:
    if not hasattr(service, "_cam_waiting"):
        service._cam_waiting = set()
    return service._cam_waiting


def _env_int(name: str) -> int:
    try:
        return max(int(getenv(name, "0")), 0)
    except ValueError:
        return 0


def _canonical(params: dict) -> str:
    return json.dumps(params, sort_keys=True, default=str)


# ---------------------------------------------------------------------------
# (c) A deployment whose image is in this account's ECR but absent there.
#
# AWS, API_DeploymentCircuitBreaker: "The deployment circuit breaker
# determines whether a service deployment will fail if the service can't
# reach a steady state. If it is turned on, a service deployment will
# transition to a failed state and stop launching new tasks."
# API_ServiceDeploymentCircuitBreaker: "The deployment circuit breaker has a
# minimum threshold of 3 and a maximum threshold of 200. and uses the values in
# the following formula to determine the deployment failure. 0.5 * desired
# task count".
# Tasks that cannot pull their image stop with CannotPullContainerError
# (ECS developer guide, "CannotPullContainer task errors"); moto runs no
# tasks, so the emulator decides it from moto's ECR state.
# ---------------------------------------------------------------------------
_ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repo>[a-z0-9][a-z0-9._/-]*?)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[A-Fa-f0-9]+))?$"
)


def absent_ecr_image(account_id: str, image: str) -> str | None:
    """The pull error for an image in account_id's ECR registry that is not
    there (no such repository, tag or digest); None for any other image."""
    m = _ECR_IMAGE.match(image or "")
    if not m or m.group("account") != account_id:
        return None
    from moto.ecr.models import ecr_backends

    try:
        ecr = ecr_backends[account_id][m.group("region")]
    except Exception:  # not a region moto knows: not ours to judge
        return None
    repo = ecr.repositories.get(m.group("repo"))
    present = False
    if repo is not None and repo.registry_id == account_id:
        if m.group("digest"):
            present = any(i.get_image_digest() == m.group("digest") for i in repo.images)
        else:
            tag = m.group("tag") or "latest"
            present = any(tag in i.image_tags for i in repo.images)
    if present:
        return None
    return (
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
        f"failed to resolve ref {image}: not found"
    )


def _pull_error(backend: Backend, task_definition_arn: str | None) -> str | None:
    if not task_definition_arn:
        return None
    try:
        td = backend.describe_task_definition(task_definition_arn)
    except Exception:
        return None
    for container in td.container_definitions or []:
        err = absent_ecr_image(backend.account_id, container.get("image", ""))
        if err:
            return err
    return None


def _event(service: Any, message: str) -> None:
    service.events.insert(0, {"id": str(mock_random.uuid4()), "createdAt": utcnow(), "message": message})


# ---------------------------------------------------------------------------
# (d) Deployment alarms.
#
# AWS, API_DeploymentAlarms: "When the alarms are generated, Amazon ECS sets
# the service deployment to failed. Set the rollback parameter to have Amazon
# ECS to roll back your service to the last completed deployment after a
# failure." moto stores the alarms and ignores them; the emulator fails a new
# deployment whose alarms (in moto's CloudWatch) are in ALARM. The reason text
# is the emulator's.
# ---------------------------------------------------------------------------
def _alarms_firing(backend: Backend, service: Any) -> list:
    alarms = (service.deployment_configuration or {}).get("alarms") or {}
    names = alarms.get("alarmNames") or []
    if not alarms.get("enable") or not names:
        return []
    from moto.cloudwatch.models import cloudwatch_backends

    try:
        cw = cloudwatch_backends[backend.account_id][backend.region_name]
    except KeyError:
        return []
    return sorted(n for n in names if n in cw.alarms and cw.alarms[n].state_value == "ALARM")


def _settle(backend: Backend, service: Any, deployment: dict) -> None:
    """Set the rollout of one deployment as its tasks would leave it."""
    desired = deployment.get("desiredCount") or 0
    err = _pull_error(backend, deployment.get("taskDefinition")) if desired > 0 else None
    dep_id = deployment["id"]
    waiting = _waiting(service)
    firing = _alarms_firing(backend, service) if err is None and deployment.get("rolloutState") != "FAILED" else []
    if firing:
        rollback = bool(((service.deployment_configuration or {}).get("alarms") or {}).get("rollback"))
        deployment.update(
            rolloutState="FAILED",
            rolloutStateReason=f"ECS deployment {dep_id} failed: deployment alarm(s) in ALARM state: {', '.join(firing)}."
            + (" Rolling back to the last completed deployment." if rollback else ""),
            updatedAt=utcnow(),
        )
        _event(service, f"(service {service.name}) (deployment {dep_id}) deployment failed: alarm(s) detected: {', '.join(firing)}.")
        return
    if err is None:
        if dep_id in waiting:
            # The image was pushed while ECS kept retrying: the tasks start now.
            waiting.discard(dep_id)
            running = _env_int("MOTO_ECS_SERVICE_RUNNING")
            state = "COMPLETED" if running >= desired else "IN_PROGRESS"
            deployment.update(
                runningCount=running,
                pendingCount=max(desired - running, 0),
                rolloutState=state,
                rolloutStateReason=f"ECS deployment {dep_id} {'completed' if state == 'COMPLETED' else 'in progress'}.",
                updatedAt=utcnow(),
            )
            service.running_count = running
            _event(service, f"(service {service.name}) has started {desired} tasks.")
            if state == "COMPLETED":
                service.deployments[:] = [deployment]
        return
    if dep_id in waiting or deployment.get("rolloutState") == "FAILED":
        return  # already settled; still no image
    threshold = min(200, max(3, math.ceil(0.5 * desired)))
    name = service.name
    breaker = (service.deployment_configuration or {}).get("deploymentCircuitBreaker") or {}
    deployment.update(runningCount=0, pendingCount=0, failedTasks=threshold, updatedAt=utcnow())
    _event(service, f"(service {name}) (deployment {dep_id}) task failed to start: {err}")
    if breaker.get("enable"):
        deployment["rolloutState"] = "FAILED"
        # AWS's reason names the circuit breaker only; the emulator appends the
        # task's stoppedReason, which moto has no task to carry.
        deployment["rolloutStateReason"] = f"ECS deployment circuit breaker: tasks failed to start. ({err})"
        _event(service, f"(service {name}) (deployment {dep_id}) deployment failed: tasks failed to start.")
    else:
        # Without the circuit breaker ECS keeps launching tasks: the rollout
        # stays IN_PROGRESS until the image exists.
        deployment["rolloutState"] = "IN_PROGRESS"
        deployment["rolloutStateReason"] = f"ECS deployment {dep_id} in progress."
        waiting.add(dep_id)


def _fix_deployment_fields(service: Any, deployment: dict) -> None:
    if service.launch_type:
        deployment["launchType"] = service.launch_type
    else:
        deployment.pop("launchType", None)
    if service.capacity_provider_strategy:
        deployment["capacityProviderStrategy"] = copy.deepcopy(service.capacity_provider_strategy)
    else:
        deployment.pop("capacityProviderStrategy", None)
    scc = getattr(service, "service_connect_configuration", None)
    if scc:
        deployment["serviceConnectConfiguration"] = copy.deepcopy(scc)
    else:
        deployment.pop("serviceConnectConfiguration", None)


# ---------------------------------------------------------------------------
# CreateService
# ---------------------------------------------------------------------------
def create_service_response(self: Response) -> ActionResult:
    """moto's EC2ContainerServiceResponse.create_service, reading also the
    parameters it drops (KEPT_CREATE_PARAMS) and the clientToken."""
    kept = {snake: self._get_param(camel) for camel, snake in KEPT_CREATE_PARAMS.items()}
    service = self.ecs_backend.create_service(
        self._get_param("cluster", "default"),
        self._get_param("serviceName"),
        self._get_int_param("desiredCount"),
        task_definition_str=self._get_param("taskDefinition"),
        load_balancers=self._get_param("loadBalancers"),
        scheduling_strategy=self._get_param("schedulingStrategy"),
        tags=self._get_param("tags"),
        deployment_controller=self._get_param("deploymentController"),
        launch_type=self._get_param("launchType"),
        service_registries=self._get_param("serviceRegistries"),
        platform_version=self._get_param("platformVersion"),
        propagate_tags=self._get_param("propagateTags") or "NONE",
        network_configuration=self._get_param("networkConfiguration"),
        role_arn=self._get_param("role"),
        client_token=self._get_param("clientToken"),
        **kept,
    )
    return ActionResult({"service": service})


def create_service(
    self: Backend,
    cluster_str: str,
    service_name: str,
    desired_count: int,
    task_definition_str: str | None = None,
    load_balancers: list | None = None,
    scheduling_strategy: Any = None,
    tags: list | None = None,
    deployment_controller: dict | None = None,
    launch_type: str | None = None,
    service_registries: list | None = None,
    platform_version: str | None = None,
    propagate_tags: str = "NONE",
    network_configuration: dict | None = None,
    role_arn: str | None = None,
    client_token: str | None = None,
    capacity_provider_strategy: list | None = None,
    deployment_configuration: dict | None = None,
    service_connect_configuration: dict | None = None,
    enable_execute_command: bool | None = None,
    health_check_grace_period_seconds: int | None = None,
    enable_ecs_managed_tags: bool | None = None,
    placement_constraints: list | None = None,
    placement_strategy: list | None = None,
) -> Any:
    cluster = self._get_cluster(cluster_str)
    request = {k: v for k, v in locals().items() if k not in ("self", "cluster", "client_token")}

    # Rule: launch type and capacity provider strategy are exclusive.
    if launch_type and capacity_provider_strategy:
        raise InvalidParameterException(BOTH_LAUNCH_TYPE_AND_STRATEGY)
    _check_strategy_associated(cluster, capacity_provider_strategy)

    # Rule: a name already ACTIVE or DRAINING in the cluster is refused, unless
    # this is a retry with the same client token and the same parameters.
    existing = self.services.get(f"{cluster.name}:{service_name}")
    if existing is not None and existing.status in ("ACTIVE", "DRAINING"):
        token, params = getattr(existing, "_cam_request", (None, None))
        if client_token and token == client_token and params == _canonical(request):
            return existing
        raise InvalidParameterException(NOT_IDEMPOTENT)

    # AWS, CreateService capacityProviderStrategy: "If no
    # capacityProviderStrategy or launchType is specified, the
    # defaultCapacityProviderStrategy for the cluster is used." Only with
    # neither (and no cluster default) does the service get ECS's default
    # launch type, EC2.
    strategy = copy.deepcopy(capacity_provider_strategy) if capacity_provider_strategy else None
    if not launch_type and not strategy and cluster.default_capacity_provider_strategy:
        strategy = copy.deepcopy(cluster.default_capacity_provider_strategy)
    effective_launch_type = launch_type or (None if strategy else "EC2")

    service = _orig_create_service(
        self,
        cluster_str,
        service_name,
        desired_count,
        task_definition_str=task_definition_str,
        load_balancers=load_balancers,
        scheduling_strategy=scheduling_strategy,
        tags=tags,
        deployment_controller=deployment_controller,
        launch_type=launch_type,
        service_registries=service_registries,
        platform_version=platform_version,
        propagate_tags=propagate_tags,
        network_configuration=network_configuration,
        role_arn=role_arn,
    )
    service._cam_request = (client_token, _canonical(request))
    service._cam_created_launch_type = launch_type

    service.launch_type = effective_launch_type
    service.capacity_provider_strategy = strategy
    service.deployment_configuration = _merge(
        _default_deployment_configuration(service.scheduling_strategy), deployment_configuration
    )
    service.service_connect_configuration = service_connect_configuration
    service.enable_execute_command = bool(enable_execute_command)
    service.enable_ecs_managed_tags = bool(enable_ecs_managed_tags)
    service.health_check_grace_period_seconds = health_check_grace_period_seconds
    service.placement_constraints = placement_constraints or []
    service.placement_strategy = placement_strategy or []

    for deployment in service.deployments:
        _fix_deployment_fields(service, deployment)
        before = service.running_count
        _settle(self, service, deployment)
        if deployment.get("runningCount") == 0 and before:
            # No task of a new service started: it runs none.
            self.update_cluster_resources(cluster, -before, task_state="RUNNING")
            service.running_count = 0
            service.pending_count = 0
    return service


# ---------------------------------------------------------------------------
# UpdateService
# ---------------------------------------------------------------------------
# AWS, UpdateService: "If you modify the task definition with UpdateService,
# Amazon ECS spawns a task with the new version of the task definition and
# then stops an old task after the new version is running." moto edits the
# one deployment in place and leaves its taskDefinition at the old revision;
# the emulator starts a new PRIMARY deployment for the changes that start one.
NEW_DEPLOYMENT_FIELDS = (
    "task_definition",
    "network_configuration",
    "platform_version",
    "load_balancers",
    "service_registries",
    "service_connect_configuration",
)


def update_service(self: Backend, service_properties: dict) -> Any:
    props = dict(service_properties)
    # UpdateService has no launchType parameter; refuse it together with a
    # strategy as CreateService does, and never let it overwrite the service.
    sent_launch_type = props.pop("launch_type", None)
    strategy = props.pop("capacity_provider_strategy", None)
    if sent_launch_type and strategy:
        raise InvalidParameterException(BOTH_LAUNCH_TYPE_AND_STRATEGY)
    deployment_configuration = props.pop("deployment_configuration", None)
    force = bool(props.get("force_new_deployment"))
    task_definition_str = props.get("task_definition")

    service = self._get_service(props.get("cluster", "default"), props["service"].split("/")[-1])
    _check_strategy_associated(self._get_cluster(props.get("cluster", "default")), strategy)
    before = {f: copy.deepcopy(getattr(service, f, None)) for f in NEW_DEPLOYMENT_FIELDS}
    old_deployments = copy.deepcopy(service.deployments)

    service = _orig_update_service(self, dict(props))  # moto pops keys off its argument

    if task_definition_str:
        # AWS reports the full ARN of the task definition, whatever was sent.
        service.task_definition = self.describe_task_definition(task_definition_str).arn
    if deployment_configuration is not None:
        service.deployment_configuration = _merge(
            service.deployment_configuration
            or _default_deployment_configuration(service.scheduling_strategy),
            deployment_configuration,
        )
    if strategy is not None:
        # AWS, UpdateService capacityProviderStrategy lists the transitions,
        # among them "Update the Fargate launch type to an Auto Scaling group
        # capacity provider." and "Update the Auto Scaling group or Fargate
        # capacity provider back to the launch type.Pass an empty list in the
        # capacityProviderStrategy parameter."
        if strategy:
            service.capacity_provider_strategy = copy.deepcopy(strategy)
            service.launch_type = None
        else:
            service.capacity_provider_strategy = None
            service.launch_type = getattr(service, "_cam_created_launch_type", None) or "EC2"

    changed = force or any(before[f] != getattr(service, f, None) for f in NEW_DEPLOYMENT_FIELDS)
    if changed and service.deployment_controller.get("type", "ECS") == "ECS":
        _start_deployment(self, service, old_deployments)
    else:
        for deployment in service.deployments:
            if deployment.get("status") == "PRIMARY":
                deployment["desiredCount"] = service.desired_count
            _fix_deployment_fields(service, deployment)
    return service


def _start_deployment(self: Backend, service: Any, old_deployments: list) -> None:
    running = _env_int("MOTO_ECS_SERVICE_RUNNING")
    desired = service.desired_count
    dep_id = f"ecs-svc/{mock_random.randint(0, 32**12)}"
    state = "COMPLETED" if running >= desired else "IN_PROGRESS"
    now = utcnow()
    deployment = {
        "createdAt": now,
        "desiredCount": desired,
        "failedTasks": _env_int("MOTO_ECS_SERVICE_FAILED_TASKS"),
        "id": dep_id,
        "pendingCount": max(desired - running, 0),
        "rolloutState": state,
        "rolloutStateReason": f"ECS deployment {dep_id} {'completed' if state == 'COMPLETED' else 'in progress'}.",
        "runningCount": running,
        "platformVersion": service.platform_version,
        "networkConfiguration": service.network_configuration or None,
        "platformFamily": "EC2" if service.launch_type == "EC2" else "FARGATE",
        "status": "PRIMARY",
        "taskDefinition": service.task_definition,
        "updatedAt": now,
    }
    _fix_deployment_fields(service, deployment)
    _settle(self, service, deployment)
    if deployment["rolloutState"] == "COMPLETED":
        service.deployments[:] = [deployment]
        return
    # The previous primary keeps running as ACTIVE while this one rolls out
    # (or after it failed: the emulator does not model the rollback).
    previous = [d for d in old_deployments if d.get("status") == "PRIMARY"][:1]
    for d in previous:
        d["status"] = "ACTIVE"
    service.deployments[:] = [deployment] + previous


# ---------------------------------------------------------------------------
# DescribeServices: a deployment that waited for its image sees it once pushed.
# ---------------------------------------------------------------------------
def describe_services(self: Backend, cluster_str: str, service_names_or_arns: list) -> tuple:
    services, failures = _orig_describe_services(self, cluster_str, service_names_or_arns)
    for service in services:
        for deployment in list(service.deployments):
            if deployment.get("id") in _waiting(service):
                _settle(self, service, deployment)
    return services, failures


def apply() -> list:
    Response.create_service = create_service_response
    Backend.create_service = create_service
    Backend.update_service = update_service
    Backend.describe_services = describe_services
    return [
        "ecs-create-service-keeps-fields",
        "ecs-launch-type-as-sent",
        "ecs-update-service-fields",
        "ecs-service-name-not-idempotent",
        "ecs-launch-type-xor-capacity-provider-strategy",
        "ecs-absent-ecr-image-fails-rollout",
        "ecs-strategy-providers-associated",
        "ecs-deployment-alarms-fail-rollout",
    ]
