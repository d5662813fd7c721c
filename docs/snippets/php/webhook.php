<?php
// Webhook receiver, standard library only: php -S 127.0.0.1:8000 webhook.php
// Checks X-Pusher-Signature (hex HMAC-SHA256 of the raw body with the app secret) first.

$key = getenv('PUSHER_APP_KEY') ?: 'chat-key';
$secret = getenv('PUSHER_APP_SECRET') ?: 'chat-secret';

$body = file_get_contents('php://input'); // the raw body, exactly as signed
$expected = hash_hmac('sha256', $body, $secret);
$signature = $_SERVER['HTTP_X_PUSHER_SIGNATURE'] ?? '';

if ($_SERVER['REQUEST_METHOD'] !== 'POST'
    || ($_SERVER['HTTP_X_PUSHER_KEY'] ?? '') !== $key
    || !hash_equals($expected, $signature)) {
    file_put_contents('php://stderr', "rejected: bad signature\n");
    http_response_code(401);
    return;
}
foreach (json_decode($body, true)['events'] as $event) {
    $about = $event['channel'] ?? $event['socket_id'] ?? '';
    file_put_contents('php://stderr', "verified {$event['name']} $about\n");
}
http_response_code(200); // any 2xx; Belfry retries 5xx, 429 and timeouts
