"""Tests for the emulator fidelity patches (scripts/emulator/containerapp_moto).

Two emulators are started from launcher.py on free ports: one with the patches,
one with CONTAINERAPP_EMULATOR_PATCHES=0 (plain moto). Each patch has tests that
assert the AWS behaviour on the patched one and that plain moto does not show
it, so they prove the patch is still needed. A few tests run on the patched one
only, or expect the same answer from both: they check that a patch leaves alone
what moto already does as AWS does (a launch type sent, an image that exists,
a DNS namespace, a recreate after delete, desired count 0).

    python3 -m unittest -v scripts/emulator/test_patches.py   (or run_tests.sh)
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
LAUNCHER = os.path.join(HERE, "launcher.py")
ACCOUNT = "123456789012"
REGION = "us-east-1"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    def __init__(self, patches: bool):
        self.patches = patches
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            CONTAINERAPP_EMULATOR_PATCHES="1" if patches else "0",
            MOTO_ECS_SERVICE_RUNNING="1000",
            MOTO_IAM_LOAD_MANAGED_POLICIES="false",
        )
        self.log = tempfile.TemporaryFile("w+")  # shown if the emulator exits
        self.proc = subprocess.Popen(
            [sys.executable, LAUNCHER, "-H", "127.0.0.1", "-p", str(self.port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self) -> None:
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"emulator exited: {self.log.read()}")
            try:
                urllib.request.urlopen(self.endpoint + "/", timeout=1).read()
                return
            except Exception:
                time.sleep(0.1)
        raise RuntimeError("emulator did not answer within 30s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def client(self, service: str):
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}),
        )


def setUpModule():
    global PATCHED, PLAIN
    PATCHED, PLAIN = Emulator(True), Emulator(False)
    PATCHED.wait()
    PLAIN.wait()


def tearDownModule():
    for emu in (PATCHED, PLAIN):
        emu.stop()


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _error(call, *args, **kwargs):
    """The (code, message, HTTP status) a call fails with, or None if it succeeds."""
    try:
        call(*args, **kwargs)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message"), e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None


class Base(unittest.TestCase):
    def on_both(self):
        return (("patched", PATCHED), ("plain", PLAIN))


# ---------------------------------------------------------------------------
# ECS
# ---------------------------------------------------------------------------
class ECSWorld:
    """A cluster and a task definition on one emulator."""

    def __init__(self, emu: Emulator, image: str = "public.ecr.aws/nginx/nginx:1.27", **cluster_args):
        self.ecs = emu.client("ecs")
        self.cluster = _name("c")
        self.ecs.create_cluster(clusterName=self.cluster, **cluster_args)
        self.task_definition = self.register(image)

    def register(self, image: str) -> str:
        td = self.ecs.register_task_definition(
            family=_name("td"),
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": "app", "image": image, "essential": True}],
        )
        return td["taskDefinition"]["taskDefinitionArn"]

    def create(self, **kwargs):
        args = dict(cluster=self.cluster, serviceName=_name("s"), taskDefinition=self.task_definition, desiredCount=1)
        args.update(kwargs)
        return self.ecs.create_service(**args)["service"]

    def describe(self, name: str):
        return self.ecs.describe_services(cluster=self.cluster, services=[name])["services"][0]


DEPLOYMENT_CONFIGURATION = {
    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
    "maximumPercent": 150,
    "minimumHealthyPercent": 50,
    "alarms": {"alarmNames": ["high-5xx"], "enable": True, "rollback": False},
    "strategy": "ROLLING",
    "bakeTimeInMinutes": 5,
}
STRATEGY = [{"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0}, {"capacityProvider": "FARGATE", "weight": 1, "base": 1}]
SERVICE_CONNECT = {"enabled": True, "namespace": "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1"}


class TestECSCreateServiceKeepsFields(Base):
    def test_create_service_keeps_what_moto_drops(self):
        for label, emu in self.on_both():
            world = ECSWorld(emu, capacityProviders=["FARGATE", "FARGATE_SPOT"])
            created = world.create(
                capacityProviderStrategy=STRATEGY,
                deploymentConfiguration=DEPLOYMENT_CONFIGURATION,
                serviceConnectConfiguration=SERVICE_CONNECT,
                enableExecuteCommand=True,
                healthCheckGracePeriodSeconds=45,
                enableECSManagedTags=True,
                placementConstraints=[{"type": "distinctInstance"}],
            )
            described = world.describe(created["serviceName"])
            for svc in (created, described):
                kept = (
                    svc.get("capacityProviderStrategy") == STRATEGY
                    and svc.get("deploymentConfiguration") == DEPLOYMENT_CONFIGURATION
                    and svc.get("enableExecuteCommand") is True
                    and svc.get("healthCheckGracePeriodSeconds") == 45
                    and svc.get("enableECSManagedTags") is True
                    and svc.get("placementConstraints") == [{"type": "distinctInstance"}]
                    and svc["deployments"][0].get("serviceConnectConfiguration") == SERVICE_CONNECT
                    and svc["deployments"][0].get("capacityProviderStrategy") == STRATEGY
                )
                if label == "patched":
                    self.assertTrue(kept, svc)
                    self.assertNotIn("launchType", svc)
                    self.assertNotIn("launchType", svc["deployments"][0])
                else:
                    self.assertFalse(kept, "plain moto now keeps the fields: drop this patch")
                    self.assertEqual(svc.get("launchType"), "EC2")  # invented by moto

    def test_defaults_are_reported_when_omitted(self):
        for label, emu in self.on_both():
            world = ECSWorld(emu)
            svc = world.describe(world.create(launchType="FARGATE")["serviceName"])
            if label == "patched":
                self.assertEqual(
                    svc["deploymentConfiguration"],
                    {"deploymentCircuitBreaker": {"enable": False, "rollback": False}, "maximumPercent": 200, "minimumHealthyPercent": 100},
                )
                self.assertIs(svc["enableExecuteCommand"], False)
            else:
                self.assertNotIn("deploymentConfiguration", svc)

    def test_launch_type_as_sent(self):
        for label, emu in self.on_both():
            world = ECSWorld(emu)
            svc = world.describe(world.create(launchType="FARGATE")["serviceName"])
            self.assertEqual(svc["launchType"], "FARGATE", label)
            self.assertEqual(svc["deployments"][0]["launchType"], "FARGATE", label)
            # Neither sent, no cluster default: ECS's default launch type.
            svc = world.describe(world.create()["serviceName"])
            self.assertEqual(svc["launchType"], "EC2", label)

    def test_cluster_default_strategy_applies_when_neither_is_sent(self):
        default = [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]
        for label, emu in self.on_both():
            world = ECSWorld(emu, capacityProviders=["FARGATE"], defaultCapacityProviderStrategy=default)
            svc = world.describe(world.create()["serviceName"])
            if label == "patched":
                self.assertNotIn("launchType", svc)
                self.assertEqual(svc["capacityProviderStrategy"], default)
                self.assertEqual(svc["deployments"][0]["capacityProviderStrategy"], default)
            else:
                self.assertEqual(svc.get("launchType"), "EC2")
                self.assertNotIn("capacityProviderStrategy", svc)


class TestECSUpdateService(Base):
    def test_update_service_updates_the_same_fields(self):
        for label, emu in self.on_both():
            world = ECSWorld(emu, capacityProviders=["FARGATE", "FARGATE_SPOT"])
            name = world.create(launchType="FARGATE")["serviceName"]
            new_td = world.register("public.ecr.aws/nginx/nginx:1.28")
            updated = world.ecs.update_service(
                cluster=world.cluster,
                service=name,
                taskDefinition=new_td,
                capacityProviderStrategy=STRATEGY,
                deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": False}},
                enableExecuteCommand=True,
                healthCheckGracePeriodSeconds=30,
                serviceConnectConfiguration=SERVICE_CONNECT,
            )["service"]
            svc = world.describe(name)
            for s in (updated, svc):
                self.assertEqual(s["capacityProviderStrategy"], STRATEGY, label)
                self.assertIs(s["enableExecuteCommand"], True, label)
                self.assertEqual(s["healthCheckGracePeriodSeconds"], 30, label)
                self.assertEqual(s["taskDefinition"], new_td, label)
            primary = [d for d in svc["deployments"] if d["status"] == "PRIMARY"]
            if label == "patched":
                self.assertNotIn("launchType", svc)  # moved to the strategy
                self.assertEqual(
                    svc["deploymentConfiguration"],
                    {"deploymentCircuitBreaker": {"enable": True, "rollback": False}, "maximumPercent": 200, "minimumHealthyPercent": 100},
                )
                self.assertEqual(len(svc["deployments"]), 1)
                self.assertEqual(primary[0]["taskDefinition"], new_td)
                self.assertEqual(primary[0]["rolloutState"], "COMPLETED")
                self.assertEqual(primary[0]["capacityProviderStrategy"], STRATEGY)
                self.assertEqual(primary[0]["serviceConnectConfiguration"], SERVICE_CONNECT)
            else:
                self.assertEqual(svc.get("launchType"), "FARGATE")  # both at once: impossible on AWS
                self.assertNotEqual(primary[0]["taskDefinition"], new_td)  # stale deployment

    def test_empty_strategy_returns_to_the_launch_type(self):
        world = ECSWorld(PATCHED, capacityProviders=["FARGATE", "FARGATE_SPOT"])
        name = world.create(launchType="FARGATE")["serviceName"]
        world.ecs.update_service(cluster=world.cluster, service=name, capacityProviderStrategy=STRATEGY)
        self.assertNotIn("launchType", world.describe(name))
        world.ecs.update_service(cluster=world.cluster, service=name, capacityProviderStrategy=[])
        svc = world.describe(name)
        self.assertEqual(svc["launchType"], "FARGATE")
        self.assertFalse(svc.get("capacityProviderStrategy"))


class TestECSRules(Base):
    def test_same_name_while_active_is_not_idempotent(self):
        for label, emu in self.on_both():
            world = ECSWorld(emu)
            name = world.create(launchType="FARGATE", clientToken="token-1")["serviceName"]
            err = _error(world.create, serviceName=name, launchType="FARGATE", desiredCount=2, clientToken="token-2")
            if label == "patched":
                self.assertEqual(err, ("InvalidParameterException", "Creation of service was not idempotent.", 400))
                self.assertEqual(world.describe(name)["desiredCount"], 1)
            else:
                self.assertIsNone(err)  # moto overwrites the ACTIVE service
                self.assertEqual(world.describe(name)["desiredCount"], 2)

    def test_retry_with_same_token_and_parameters_succeeds(self):
        world = ECSWorld(PATCHED)
        first = world.create(launchType="FARGATE", clientToken="token-1")
        again = world.create(serviceName=first["serviceName"], launchType="FARGATE", clientToken="token-1")
        self.assertEqual(again["deployments"][0]["id"], first["deployments"][0]["id"])
        err = _error(world.create, serviceName=first["serviceName"], launchType="FARGATE", desiredCount=3, clientToken="token-1")
        self.assertEqual(err[0], "InvalidParameterException")

    def test_recreate_after_delete_is_allowed(self):
        world = ECSWorld(PATCHED)
        name = world.create(launchType="FARGATE", desiredCount=0)["serviceName"]
        world.ecs.delete_service(cluster=world.cluster, service=name)
        self.assertEqual(world.describe(name)["status"], "INACTIVE")
        self.assertEqual(world.create(serviceName=name, launchType="FARGATE")["status"], "ACTIVE")

    def test_launch_type_and_strategy_together_are_refused(self):
        for label, emu in self.on_both():
            world = ECSWorld(emu, capacityProviders=["FARGATE"])
            err = _error(world.create, launchType="FARGATE", capacityProviderStrategy=STRATEGY)
            if label == "patched":
                self.assertEqual(
                    err,
                    (
                        "InvalidParameterException",
                        "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
                        400,
                    ),
                )
            else:
                self.assertIsNone(err)


    def test_strategy_must_use_associated_providers(self):
        for label, emu in self.on_both():
            world = ECSWorld(emu, capacityProviders=["FARGATE"])
            err = _error(world.create, capacityProviderStrategy=STRATEGY)  # FARGATE_SPOT is not associated
            name = world.create(capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}])["serviceName"]
            upd = _error(world.ecs.update_service, cluster=world.cluster, service=name, capacityProviderStrategy=STRATEGY, forceNewDeployment=True)
            if label == "patched":
                self.assertEqual(err[0], "InvalidParameterException")
                self.assertIn("not associated with the cluster", err[1])
                self.assertEqual(upd[0], "InvalidParameterException")
                self.assertEqual([i["capacityProvider"] for i in world.describe(name)["capacityProviderStrategy"]], ["FARGATE"])
            else:
                self.assertIsNone(err)
                self.assertIsNone(upd)


class TestECSDeploymentAlarms(Base):
    def test_alarm_in_alarm_fails_the_deployment(self):
        for label, emu in self.on_both():
            world = ECSWorld(emu)
            cw = emu.client("cloudwatch")
            alarm = _name("alarm")
            cw.put_metric_alarm(AlarmName=alarm, MetricName="5xx", Namespace="app", Statistic="Sum", Period=60,
                                EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
            dc = {"deploymentCircuitBreaker": {"enable": True, "rollback": True},
                  "alarms": {"alarmNames": [alarm], "enable": True, "rollback": True}}
            name = world.create(launchType="FARGATE", deploymentConfiguration=dc)["serviceName"]
            self.assertNotEqual(world.describe(name)["deployments"][0].get("rolloutState"), "FAILED", label)
            cw.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="test")
            world.ecs.update_service(cluster=world.cluster, service=name, taskDefinition=world.register("public.ecr.aws/nginx/nginx:1.28"))
            primary = [d for d in world.describe(name)["deployments"] if d["status"] == "PRIMARY"][0]
            if label == "patched":
                self.assertEqual(primary["rolloutState"], "FAILED")
                self.assertIn(alarm, primary["rolloutStateReason"])
            else:
                self.assertNotEqual(primary.get("rolloutState"), "FAILED")


class TestECSImagePull(Base):
    def setUp(self):
        self.repos = {}

    def push(self, emu: Emulator, repo: str, tag: str) -> str:
        ecr = emu.client("ecr")
        if (emu.port, repo) not in self.repos:
            ecr.create_repository(repositoryName=repo)
            self.repos[(emu.port, repo)] = True
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023, "digest": "sha256:" + "a" * 64},
            "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654, "digest": "sha256:" + uuid.uuid4().hex * 2}],
        }
        out = ecr.put_image(repositoryName=repo, imageManifest=json.dumps(manifest), imageTag=tag)
        return out["image"]["imageId"]["imageDigest"]

    def primary(self, svc):
        return [d for d in svc["deployments"] if d["status"] == "PRIMARY"][0]

    def test_absent_tag_fails_the_rollout(self):
        breaker = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
        for label, emu in self.on_both():
            repo = _name("app")
            self.push(emu, repo, "v1")
            world = ECSWorld(emu, image=f"{REGISTRY}/{repo}:v2")
            name = world.create(launchType="FARGATE", deploymentConfiguration=breaker)["serviceName"]
            svc = world.describe(name)
            dep = self.primary(svc)
            if label == "patched":
                self.assertEqual(dep["rolloutState"], "FAILED")
                self.assertIn("CannotPullContainerError", dep["rolloutStateReason"])
                self.assertIn(f"{REGISTRY}/{repo}:v2", dep["rolloutStateReason"])
                self.assertGreaterEqual(dep["failedTasks"], 3)
                self.assertEqual(dep["runningCount"], 0)
                self.assertTrue(any("CannotPullContainerError" in e["message"] for e in svc["events"]))
            else:
                self.assertEqual(dep["rolloutState"], "COMPLETED")

    def test_present_images_and_other_registries_complete(self):
        breaker = {"deploymentCircuitBreaker": {"enable": True, "rollback": False}}
        repo = _name("app")
        digest = self.push(PATCHED, repo, "v1")
        for image in (
            f"{REGISTRY}/{repo}:v1",
            f"{REGISTRY}/{repo}@{digest}",
            "public.ecr.aws/nginx/nginx:1.27",
            f"999999999999.dkr.ecr.{REGION}.amazonaws.com/{repo}:nope",  # another account: not ours to judge
        ):
            world = ECSWorld(PATCHED, image=image)
            svc = world.describe(world.create(launchType="FARGATE", deploymentConfiguration=breaker)["serviceName"])
            self.assertEqual(self.primary(svc)["rolloutState"], "COMPLETED", image)

    def test_absent_repository_and_digest_fail(self):
        breaker = {"deploymentCircuitBreaker": {"enable": True, "rollback": False}}
        repo = _name("app")
        self.push(PATCHED, repo, "v1")
        for image in (f"{REGISTRY}/{_name('missing')}:v1", f"{REGISTRY}/{repo}@sha256:{'b' * 64}", f"{REGISTRY}/{repo}"):
            world = ECSWorld(PATCHED, image=image)
            svc = world.describe(world.create(launchType="FARGATE", deploymentConfiguration=breaker)["serviceName"])
            self.assertEqual(self.primary(svc)["rolloutState"], "FAILED", image)

    def test_desired_count_zero_pulls_nothing(self):
        world = ECSWorld(PATCHED, image=f"{REGISTRY}/{_name('missing')}:v1")
        svc = world.describe(world.create(launchType="FARGATE", desiredCount=0)["serviceName"])
        self.assertEqual(self.primary(svc)["rolloutState"], "COMPLETED")

    def test_without_circuit_breaker_the_rollout_waits_for_the_image(self):
        repo = _name("app")
        self.push(PATCHED, repo, "v1")
        world = ECSWorld(PATCHED, image=f"{REGISTRY}/{repo}:v2")
        name = world.create(launchType="FARGATE")["serviceName"]
        svc = world.describe(name)
        self.assertEqual(self.primary(svc)["rolloutState"], "IN_PROGRESS")
        self.assertTrue(any("CannotPullContainerError" in e["message"] for e in svc["events"]))
        self.push(PATCHED, repo, "v2")
        svc = world.describe(name)
        self.assertEqual(self.primary(svc)["rolloutState"], "COMPLETED")
        self.assertEqual(len(svc["deployments"]), 1)

    def test_update_to_an_absent_image_fails_the_new_deployment(self):
        breaker = {"deploymentCircuitBreaker": {"enable": True, "rollback": False}}
        for label, emu in self.on_both():
            repo = _name("app")
            self.push(emu, repo, "v1")
            world = ECSWorld(emu, image=f"{REGISTRY}/{repo}:v1")
            created = world.create(launchType="FARGATE", deploymentConfiguration=breaker)
            new_td = world.register(f"{REGISTRY}/{repo}:v9")
            world.ecs.update_service(cluster=world.cluster, service=created["serviceName"], taskDefinition=new_td)
            svc = world.describe(created["serviceName"])
            primary = self.primary(svc)
            if label == "patched":
                self.assertEqual(primary["taskDefinition"], new_td)
                self.assertEqual(primary["rolloutState"], "FAILED")
                self.assertIn("CannotPullContainerError", primary["rolloutStateReason"])
                self.assertNotEqual(primary["id"], created["deployments"][0]["id"])
                active = [d for d in svc["deployments"] if d["status"] == "ACTIVE"]
                self.assertEqual([d["id"] for d in active], [created["deployments"][0]["id"]])
            else:
                self.assertEqual(primary["rolloutState"], "COMPLETED")


# ---------------------------------------------------------------------------
# Cloud Map
# ---------------------------------------------------------------------------
class TestCloudMap(Base):
    def test_dns_config_in_http_namespace_is_refused(self):
        dns = {"DnsRecords": [{"Type": "A", "TTL": 10}], "RoutingPolicy": "MULTIVALUE"}
        for label, emu in self.on_both():
            sd = emu.client("servicediscovery")
            sd.create_http_namespace(Name=_name("http"))
            ns = [n for n in sd.list_namespaces()["Namespaces"] if n["Type"] == "HTTP"][-1]["Id"]
            err = _error(sd.create_service, Name=_name("svc"), NamespaceId=ns, DnsConfig=dns)
            err_deprecated = _error(sd.create_service, Name=_name("svc"), DnsConfig=dict(dns, NamespaceId=ns))
            if label == "patched":
                want = ("InvalidInput", "When you specify an HTTP service, you can't include a DnsConfig element.", 400)
                self.assertEqual(err, want)
                self.assertEqual(err_deprecated, want)
            else:
                self.assertIsNone(err)
                self.assertIsNone(err_deprecated)
            # Without DnsConfig it is fine on both.
            self.assertIsNone(_error(sd.create_service, Name=_name("svc"), NamespaceId=ns), label)

    def test_same_name_service_in_namespace_already_exists(self):
        for label, emu in self.on_both():
            sd = emu.client("servicediscovery")
            ns_name = _name("http")
            sd.create_http_namespace(Name=ns_name)
            ns = [n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == ns_name][0]["Id"]
            name = _name("svc")
            first = sd.create_service(Name=name, NamespaceId=ns, CreatorRequestId="token-1")["Service"]
            if label == "patched":
                try:
                    sd.create_service(Name=name, NamespaceId=ns, CreatorRequestId="token-2")
                    self.fail("a second service of the same name was created")
                except ClientError as e:
                    self.assertEqual(e.response["Error"]["Code"], "ServiceAlreadyExists")
                    self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400)
                    self.assertEqual(e.response.get("ServiceId"), first["Id"])
                    self.assertEqual(e.response.get("ServiceArn"), first["Arn"])
                # The same request again is idempotent.
                again = sd.create_service(Name=name, NamespaceId=ns, CreatorRequestId="token-1")["Service"]
                self.assertEqual(again["Id"], first["Id"])
                self.assertEqual(len([s for s in sd.list_services()["Services"] if s["Name"] == name]), 1)
                # The same name in another namespace is fine.
                other = _name("http")
                sd.create_http_namespace(Name=other)
                other_ns = [n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == other][0]["Id"]
                self.assertIsNone(_error(sd.create_service, Name=name, NamespaceId=other_ns))
            else:
                self.assertIsNone(_error(sd.create_service, Name=name, NamespaceId=ns, CreatorRequestId="token-2"))
                self.assertEqual(len([s for s in sd.list_services()["Services"] if s["Name"] == name]), 2)

    def test_same_name_http_namespace_already_exists(self):
        for label, emu in self.on_both():
            sd = emu.client("servicediscovery")
            name = _name("http")
            sd.create_http_namespace(Name=name, CreatorRequestId="token-1")
            first = [n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == name][0]["Id"]
            err = _error(sd.create_http_namespace, Name=name, CreatorRequestId="token-2")
            if label == "patched":
                self.assertEqual(err[0], "NamespaceAlreadyExists")
                self.assertEqual(err[2], 400)
                # The same request again is idempotent: its operation names the namespace.
                op = sd.create_http_namespace(Name=name, CreatorRequestId="token-1")["OperationId"]
                targets = sd.get_operation(OperationId=op)["Operation"]["Targets"]
                self.assertEqual(targets["NAMESPACE"], first)
            else:
                self.assertIsNone(err)
            same = [n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == name]
            self.assertEqual(len(same), 1 if label == "patched" else 2, label)

    def test_dns_config_in_dns_namespace_is_accepted(self):
        sd = PATCHED.client("servicediscovery")
        name = _name("pub") + ".example.com"
        sd.create_public_dns_namespace(Name=name)
        ns = [n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == name][0]["Id"]
        dns = {"DnsRecords": [{"Type": "A", "TTL": 10}], "RoutingPolicy": "MULTIVALUE"}
        self.assertIsNone(_error(sd.create_service, Name=_name("svc"), NamespaceId=ns, DnsConfig=dns))


# ---------------------------------------------------------------------------
# EC2
# ---------------------------------------------------------------------------
class TestEC2DefaultVPC(Base):
    def default_vpc(self, ec2):
        vpcs = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
        self.assertEqual(len(vpcs), 1)
        return vpcs[0]["VpcId"]

    def test_default_vpc_has_an_internet_gateway_and_a_default_route(self):
        for label, emu in self.on_both():
            ec2 = emu.client("ec2")
            vpc = self.default_vpc(ec2)
            igws = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])["InternetGateways"]
            tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
            main = [t for t in tables if any(a.get("Main") for a in t.get("Associations", []))]
            self.assertEqual(len(main), 1, label)
            routes = {r.get("DestinationCidrBlock"): r.get("GatewayId") for r in main[0]["Routes"]}
            self.assertEqual(routes.get("172.31.0.0/16"), "local", label)
            if label == "patched":
                self.assertEqual(len(igws), 1, label)
                igw = igws[0]["InternetGatewayId"]
                self.assertEqual(igws[0]["Attachments"], [{"State": "available", "VpcId": vpc}], label)
                self.assertEqual(routes.get("0.0.0.0/0"), igw, label)
                route = next(r for r in main[0]["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0")
                self.assertEqual(route.get("State"), "active", label)
            else:
                self.assertEqual(igws, [], label)
                self.assertNotIn("0.0.0.0/0", routes, label)

    def test_new_vpc_has_no_internet_gateway(self):
        # A VPC one creates has only its local route, on AWS and on both.
        for label, emu in self.on_both():
            ec2 = emu.client("ec2")
            vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
            igws = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])["InternetGateways"]
            self.assertEqual(igws, [], label)
            tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
            self.assertEqual([r.get("DestinationCidrBlock") for t in tables for r in t["Routes"]], ["10.9.0.0/16"], label)
            ec2.delete_vpc(VpcId=vpc)


# ---------------------------------------------------------------------------
# ELBv2
# ---------------------------------------------------------------------------
class TestELBv2(Base):
    def subnets(self, emu: Emulator, zones):
        ec2 = emu.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        return [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
            for i, zone in enumerate(zones)
        ]

    def test_alb_subnets_one_per_az_in_two_azs(self):
        for label, emu in self.on_both():
            elb = emu.client("elbv2")
            a1, a2, b1 = self.subnets(emu, [f"{REGION}a", f"{REGION}a", f"{REGION}b"])
            same_az = _error(elb.create_load_balancer, Name=_name("alb"), Subnets=[a1, a2, b1])
            one_az = _error(elb.create_load_balancer, Name=_name("alb"), Subnets=[a1])
            if label == "patched":
                self.assertEqual(
                    same_az,
                    ("InvalidConfigurationRequest", "A load balancer cannot be attached to multiple subnets in the same Availability Zone", 400),
                )
                self.assertEqual(
                    one_az, ("ValidationError", "At least two subnets in two different Availability Zones must be specified", 400)
                )
            else:
                self.assertIsNone(same_az)
                self.assertIsNone(one_az)
            # One subnet in each of two zones is fine on both; NLBs may use one zone.
            self.assertIsNone(_error(elb.create_load_balancer, Name=_name("alb"), Subnets=[a1, b1]), label)
            self.assertIsNone(_error(elb.create_load_balancer, Name=_name("nlb"), Subnets=[a1], Type="network"), label)
            mapped = _error(elb.create_load_balancer, Name=_name("alb"), SubnetMappings=[{"SubnetId": a1}, {"SubnetId": a2}])
            self.assertEqual(mapped is not None, label == "patched", label)



# ---------------------------------------------------------------------------
# Application Auto Scaling
# ---------------------------------------------------------------------------
class ApplicationAutoScalingTest(Base):
    def test_policy_update_keeps_its_arn(self):
        for label, emu in self.on_both():
            world = ECSWorld(emu)
            svc = world.create()
            rid = f"service/{world.cluster}/{svc['serviceName']}"
            aas = emu.client("application-autoscaling")
            target = dict(ServiceNamespace="ecs", ResourceId=rid, ScalableDimension="ecs:service:DesiredCount")
            aas.register_scalable_target(MinCapacity=1, MaxCapacity=4, **target)

            def put(value):
                return aas.put_scaling_policy(
                    PolicyName="cpu", PolicyType="TargetTrackingScaling", **target,
                    TargetTrackingScalingPolicyConfiguration={
                        "TargetValue": value,
                        "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                    },
                )["PolicyARN"]

            first, second = put(60.0), put(70.0)
            policies = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=rid)["ScalingPolicies"]
            self.assertEqual(len(policies), 1, label)
            self.assertEqual(policies[0]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"], 70.0, label)
            if label == "patched":
                self.assertEqual(first, second)
                self.assertEqual(policies[0]["PolicyARN"], first)
            else:
                self.assertNotEqual(first, second)


# ---------------------------------------------------------------------------
# ECR
# ---------------------------------------------------------------------------
class TestECRScanOnPush(Base):
    def push(self, emu: Emulator, repo: str, tag: str) -> str:
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023, "digest": "sha256:" + "a" * 64},
            "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654, "digest": "sha256:" + uuid.uuid4().hex * 2}],
        }
        out = emu.client("ecr").put_image(repositoryName=repo, imageManifest=json.dumps(manifest), imageTag=tag)
        return out["image"]["imageId"]["imageDigest"]

    def test_push_into_scan_on_push_repository_starts_the_scan(self):
        for label, emu in self.on_both():
            ecr = emu.client("ecr")
            repo = _name("scan")
            ecr.create_repository(repositoryName=repo, imageScanningConfiguration={"scanOnPush": True})
            digest = self.push(emu, repo, "v1")
            image_id = {"imageDigest": digest}
            if label == "patched":
                out = ecr.describe_image_scan_findings(repositoryName=repo, imageId=image_id)
                self.assertEqual(out["imageScanStatus"]["status"], "COMPLETE")
                # The scan on push counts against the one scan per 24 hours.
                err = _error(ecr.start_image_scan, repositoryName=repo, imageId=image_id)
                self.assertEqual(err and err[0], "LimitExceededException")
            else:
                err = _error(ecr.describe_image_scan_findings, repositoryName=repo, imageId=image_id)
                self.assertEqual(err and err[0], "ScanNotFoundException")
                self.assertIsNone(_error(ecr.start_image_scan, repositoryName=repo, imageId=image_id))

    def test_push_without_scan_on_push_has_no_scan(self):
        for label, emu in self.on_both():
            ecr = emu.client("ecr")
            repo = _name("noscan")
            ecr.create_repository(repositoryName=repo)
            image_id = {"imageDigest": self.push(emu, repo, "v1")}
            err = _error(ecr.describe_image_scan_findings, repositoryName=repo, imageId=image_id)
            self.assertEqual(err and err[0], "ScanNotFoundException", label)
            ecr.start_image_scan(repositoryName=repo, imageId=image_id)
            out = ecr.describe_image_scan_findings(repositoryName=repo, imageId=image_id)
            self.assertEqual(out["imageScanStatus"]["status"], "COMPLETE", label)


if __name__ == "__main__":
    unittest.main()
