// chitieu: starts the Scalar API reference in #reference from the OpenAPI document the
// element names. Everything stays on this server: no web fonts, no telemetry, no developer
// toolbar, no hosted agent or MCP features (the page's Content-Security-Policy would block
// them anyway). The element is not called #api-reference: Scalar would mount its own
// default-configured instance on that id before this script runs.
(function () {
  'use strict';
  var root = document.getElementById('reference');
  Scalar.createApiReference(root, {
    url: root.getAttribute('data-openapi-url'),
    withDefaultFonts: false,
    telemetry: false,
    showDeveloperTools: 'never',
    agent: { disabled: true },
    mcp: { disabled: true },
    documentDownloadType: 'json'
  });
})();
