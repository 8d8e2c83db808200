"""Cloud Map: no DNS configuration for a service in an HTTP namespace.

Patched (moto 5.2.1, moto/servicediscovery/models.py):
  ServiceDiscoveryBackend.create_service

AWS, Cloud Map CreateService: it creates "For public and private DNS
namespaces, one of the following combinations of DNS records in Amazon Route
53"; CreateHttpNamespace: "Service instances registered using an HTTP
namespace can be discovered using a DiscoverInstances request but can't be
discovered using DNS." A CreateService that sends DnsConfig for an HTTP
namespace fails with InvalidInput (HTTP 400): "When you specify an HTTP
service, you can't include a DnsConfig element." moto accepts it.
"""

from typing import Any

from moto.servicediscovery import models as sd_models
from moto.servicediscovery.exceptions import InvalidInput

Backend = sd_models.ServiceDiscoveryBackend
_orig_create_service = Backend.create_service

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


def apply() -> list:
    Backend.create_service = create_service
    return ["servicediscovery-no-dns-config-in-http-namespace"]
