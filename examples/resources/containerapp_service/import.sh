terraform import containerapp_service.web platform/web
