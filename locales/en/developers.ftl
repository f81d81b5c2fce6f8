## The API documentation page

developers-title = For developers: the Dasan API
developers-lead = Every function of the portal is also available to agency systems, devices and your own scripts through a JSON API, described by an OpenAPI 3.1 document.
developers-openapi-link = Download the OpenAPI 3.1 document (JSON)
developers-errors-heading = Errors
developers-errors-body = Every error is an RFC 9457 problem document (application/problem+json) with a stable code, a translated title and detail, the request's reference, and field-level errors where input was invalid. Send Accept-Language: ko for Korean.
developers-endpoints-heading = Endpoints
developers-endpoints-caption = Endpoints of this version of the API
developers-col-method = Method
developers-col-path = Path
developers-col-summary = What it does
