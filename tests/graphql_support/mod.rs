//! What the GraphQL tests share: a graphql-transport-ws client, the fragment bomb of issue 10
//! and reading an error's code.
#![allow(dead_code, clippy::unwrap_used)]

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{Message, client::IntoClientRequest},
};

use super::common::TestApp;

/// A graphql-transport-ws connection.
pub struct Socket {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u32,
}

impl Socket {
    /// Connects without initialising.
    pub async fn connect(app: &TestApp) -> Socket {
        let mut request = format!("{}/graphql/ws", app.base.replace("http://", "ws://"))
            .into_client_request()
            .unwrap();
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        Socket { ws, next_id: 0 }
    }

    /// Connects and initialises with `token`.
    pub async fn open(app: &TestApp, token: &str) -> Socket {
        let mut socket = Socket::connect(app).await;
        socket
            .send(json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}}))
            .await;
        let ack = socket.next_json().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        socket
    }

    pub async fn send(&mut self, message: Value) {
        self.ws
            .send(Message::Text(message.to_string().into()))
            .await
            .unwrap();
    }

    /// Starts an operation; returns its id.
    pub async fn subscribe(&mut self, query: &str, variables: Value) -> String {
        self.next_id += 1;
        let id = self.next_id.to_string();
        self.send(json!({"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}))
            .await;
        id
    }

    /// Runs a query or mutation and returns its one result (the `next` payload), checking
    /// the operation completes after it.
    pub async fn run(&mut self, query: &str, variables: Value) -> Value {
        let id = self.subscribe(query, variables).await;
        let next = self.next_json().await;
        assert_eq!(
            (next["type"].as_str(), next["id"].as_str()),
            (Some("next"), Some(id.as_str())),
            "{next}"
        );
        let complete = self.next_json().await;
        assert_eq!(complete["type"], "complete", "{complete}");
        next["payload"].clone()
    }

    /// The next text message, within 10 s.
    pub async fn next_json(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(std::time::Duration::from_secs(10), self.ws.next())
                .await
                .expect("no message within 10 s")
                .expect("the socket closed")
                .unwrap();
            if let Message::Text(t) = msg {
                return serde_json::from_str(&t).unwrap();
            }
        }
    }
}

pub fn code(payload: &Value) -> &str {
    payload["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code: {payload}"))
}

/// The fragment bomb of issue 10: `query{...F0}`, each `Fi` spreading `F(i+1)` twice, and
/// `F27` selecting `last` (`...Nope` in the report), all on type `on`.
pub fn bomb(on: &str, last: &str) -> String {
    let mut q = String::from("query{...F0}\n");
    for i in 0..27 {
        q.push_str(&format!(
            "fragment F{i} on {on}{{...F{j} ...F{j}}}\n",
            j = i + 1
        ));
    }
    q.push_str(&format!("fragment F27 on {on}{{{last}}}\n"));
    q
}
