"""Cloud Map: no DNS configuration for a service in an HTTP namespace; names
are unique (a service in its namespace, an HTTP namespace in the region).

Patched (moto 5.2.1, moto/servicediscovery/models.py):
  ServiceDiscoveryBackend.create_service
  ServiceDiscoveryBackend.create_http_namespace

AWS, Cloud Map CreateService: it creates "For public and private DNS
namespaces, one of the following combinations of DNS records in Amazon Route
53"; CreateHttpNamespace: "Service instances registered using an HTTP
namespace can be discovered using a DiscoverInstances request but can't be
discovered using DNS." A CreateService that sends DnsConfig for an HTTP
namespace fails with InvalidInput (HTTP 400): "When you specify an HTTP
service, you can't include a DnsConfig element." moto accepts it.

AWS, Cloud Map CreateService errors: "ServiceAlreadyExists: The service can't
be created because a service with the same name already exists." (HTTP 400,
with CreatorRequestId, ServiceArn and ServiceId); CreateHttpNamespace errors:
"NamespaceAlreadyExists: The namespace that you're trying to create already
exists." (HTTP 400, with CreatorRequestId and NamespaceId). A retry with the
same CreatorRequestId is idempotent: "CreatorRequestId: A unique string that
identifies the request and that allows failed CreateService requests to be
retried without the risk of running the operation twice." moto creates a
second service (or namespace) of the same name.
"""

import json

from typing import Any

from moto.servicediscovery import models as sd_models
from moto.core.exceptions import JsonRESTError
from moto.servicediscovery.exceptions import InvalidInput

Backend = sd_models.ServiceDiscoveryBackend
_orig_create_service = Backend.create_service
_orig_create_http_namespace = Backend.create_http_namespace


class _AlreadyExists(JsonRESTError):
    """An AlreadyExists error whose body carries the existing object's id."""

    def __init__(self, error_type: str, message: str, **fields: str):
        super().__init__(error_type, message)
        self.description = json.dumps(dict({"__type": error_type, "Message": message}, **fields))


def ServiceAlreadyExists(service: Any) -> JsonRESTError:
    return _AlreadyExists(
        "ServiceAlreadyExists",
        f"Service already exists. ServiceId: {service.id}",
        CreatorRequestId=service.creator_request_id or "",
        ServiceId=service.id,
        ServiceArn=service.arn,
    )


def NamespaceAlreadyExists(namespace: Any) -> JsonRESTError:
    return _AlreadyExists(
        "NamespaceAlreadyExists",
        f"Namespace already exists. NamespaceId: {namespace.id}",
        CreatorRequestId=namespace.creator_request_id or "",
        NamespaceId=namespace.id,
    )

DNS_CONFIG_IN_HTTP_NAMESPACE = "When you specify an HTTP service, you can't include a DnsConfig element."


def create_service(
    self: Backend,
    name: str,
    namespace_id: str,
    creator_request_id: str,
    description: str,
    dns_config: dict,
    health_check_config: dict,
    health_check_custom_config: dict,
    tags: list,
    service_type: str,
) -> Any:
    # The namespace is NamespaceId, or the deprecated DnsConfig.NamespaceId.
    ns_id = namespace_id or (dns_config or {}).get("NamespaceId")
    namespace = self.namespaces.get(ns_id) if ns_id else None
    if dns_config is not None and namespace is not None and namespace.type == "HTTP":
        raise InvalidInput(DNS_CONFIG_IN_HTTP_NAMESPACE)
    for existing in list(self.services.values()):
        if existing.name == name and existing.namespace_id == ns_id:
            if creator_request_id and existing.creator_request_id == creator_request_id:
                return existing  # a retry of the same request
            raise ServiceAlreadyExists(existing)
    return _orig_create_service(
        self,
        name=name,
        namespace_id=namespace_id,
        creator_request_id=creator_request_id,
        description=description,
        dns_config=dns_config,
        health_check_config=health_check_config,
        health_check_custom_config=health_check_custom_config,
        tags=tags,
        service_type=service_type,
    )


def create_http_namespace(self: Backend, name: str, creator_request_id: str, description: str, tags: list) -> str:
    for existing in list(self.namespaces.values()):
        if existing.name == name and existing.type == "HTTP":
            if creator_request_id and existing.creator_request_id == creator_request_id:
                # A retry of the same request: the operation that created it.
                return self._create_operation("CREATE_NAMESPACE", targets={"NAMESPACE": existing.id})
            raise NamespaceAlreadyExists(existing)
    return _orig_create_http_namespace(
        self, name=name, creator_request_id=creator_request_id, description=description, tags=tags
    )


def apply() -> list:
    Backend.create_service = create_service
    Backend.create_http_namespace = create_http_namespace
    return [
        "servicediscovery-no-dns-config-in-http-namespace",
        "servicediscovery-service-already-exists",
        "servicediscovery-http-namespace-already-exists",
    ]
