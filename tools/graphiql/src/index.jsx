// The GraphiQL page of the Alumni Network server. Queries and mutations go
// to POST /graphql, subscriptions over /graphql/ws; nothing is fetched from
// anywhere else, so the page works on an intranet without internet access.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { createClient } from "graphql-ws";
import React from "react";
import { createRoot } from "react-dom/client";
import "graphiql/graphiql.css";

const origin = window.location.origin;
const socketOrigin = origin.replace(/^http/, "ws");

// The token typed into the Headers pane also authenticates subscriptions,
// which send it in their `connection_init` payload (browsers cannot set
// headers on a WebSocket).
let currentHeaders = {};
const fetcher = createGraphiQLFetcher({
  url: `${origin}/graphql`,
  wsClient: createClient({
    url: `${socketOrigin}/graphql/ws`,
    lazy: true,
    connectionParams: () => {
      const authorization =
        currentHeaders.Authorization ?? currentHeaders.authorization;
      return authorization ? { Authorization: authorization } : {};
    },
  }),
});

function fetchWithHeaders(params, options) {
  currentHeaders = options?.headers ?? {};
  return fetcher(params, options);
}

const defaultQuery = `# Sign in with a demo account, then put the token into the Headers pane
# as {"Authorization": "Bearer alm_…"} and ask who you are:
#
# mutation {
#   login(email: "secretariat@alumni.example", password: "alumni-demo-2026") { token }
# }

{
  me {
    roles
    member { displayName email }
  }
}
`;

const parameters = new URLSearchParams(window.location.search);
createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher: fetchWithHeaders,
    defaultQuery,
    query: parameters.get("query") ?? undefined,
    variables: parameters.get("variables") ?? undefined,
    headers: parameters.get("headers") ?? undefined,
    shouldPersistHeaders: true,
  }),
);
