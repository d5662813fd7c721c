<?php
// With the official SDK (composer require pusher/pusher-php-server): the same three jobs.
require __DIR__ . '/vendor/autoload.php';

$pusher = new Pusher\Pusher(
    getenv('PUSHER_APP_KEY'),
    getenv('PUSHER_APP_SECRET'),
    getenv('PUSHER_APP_ID'),
    [
        'host' => getenv('PUSHER_HOST') ?: '127.0.0.1', // no scheme, no trailing slash
        'port' => (int) (getenv('PUSHER_PORT') ?: 6001),
        'scheme' => getenv('PUSHER_SCHEME') ?: 'http',
        'useTLS' => getenv('PUSHER_SCHEME') === 'https',
    ]
);

// Trigger: the array is JSON-encoded by the SDK.
$pusher->trigger('news', 'greeting', ['text' => 'hello from PHP']);

// Auth endpoint (POST socket_id, channel_name): private, or presence with the user.
header('Content-Type: application/json');
if (str_starts_with($_POST['channel_name'], 'presence-')) {
    echo $pusher->authorizePresenceChannel($_POST['channel_name'], $_POST['socket_id'], 'alice', ['name' => 'Alice']);
} else {
    echo $pusher->authorizeChannel($_POST['channel_name'], $_POST['socket_id']);
}

// Webhook receiver: throws Pusher\PusherException when the signature does not match.
try {
    $webhook = $pusher->webhook(getallheaders(), file_get_contents('php://input'));
    foreach ($webhook->get_events() as $event) {
        error_log("{$event->name} {$event->channel}");
    }
} catch (Pusher\PusherException $e) {
    http_response_code(401);
}
