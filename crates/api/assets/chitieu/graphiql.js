// chitieu: starts GraphiQL in #graphiql. The page has no inline script (its
// Content-Security-Policy allows scripts from this server only), so the endpoints
// come from the element's data attributes.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var endpoint = new URL(root.getAttribute('data-endpoint'), window.location.href);
  var subscriptions = new URL(root.getAttribute('data-subscription-endpoint'), window.location.href);
  subscriptions.protocol = subscriptions.protocol === 'https:' ? 'wss:' : 'ws:';
  var fetcher = GraphiQL.createFetcher({
    url: endpoint.toString(),
    subscriptionUrl: subscriptions.toString()
  });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true })
  );
})();
