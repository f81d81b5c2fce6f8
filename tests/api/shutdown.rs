use crate::helpers::*;
use dasan_store::engine_tests;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

engine_tests! {
    async fn graceful_shutdown_completes_an_in_flight_request(engine) {
        let mut app = spawn_app(engine).await;
        let body = br#"{"page": "/about", "helpful": true, "comment": "sent slowly"}"#;
        let (first, rest) = body.split_at(20);

        // A request whose body is still arriving when the shutdown signal comes.
        let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        let head = format!(
            "POST /api/v1/feedback HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            app.addr,
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(first).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;

        let server = app.begin_shutdown().unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!server.is_finished(), "the server waits for the in-flight request");
        // No new connections are accepted meanwhile.
        assert!(tokio::net::TcpStream::connect(app.addr).await.is_err());

        stream.write_all(rest).await.unwrap();
        let mut response = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
            .await
            .expect("the response arrives and the connection closes")
            .unwrap();
        let response = String::from_utf8_lossy(&response);
        assert!(response.starts_with("HTTP/1.1 201"), "{response}");
        assert!(response.to_ascii_lowercase().contains("connection: close"), "{response}");

        tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("the server stops once the request is done")
            .unwrap()
            .unwrap();
        assert_eq!(app.count("SELECT COUNT(*) FROM page_feedback WHERE comment = 'sent slowly'").await, 1);
    }
}
