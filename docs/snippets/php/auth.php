<?php
// Auth endpoints, standard library only: php -S 127.0.0.1:8000 auth.php
// /pusher/auth: pusher-js / Laravel Echo POST socket_id and channel_name; the answer is
// {"auth": "key:signature"}, plus "channel_data" for a presence channel.
// /pusher/user-auth (pusher.signin()): POST socket_id; the answer is {"auth", "user_data"}.

$key = getenv('PUSHER_APP_KEY') ?: 'chat-key';
$secret = getenv('PUSHER_APP_SECRET') ?: 'chat-secret';

function reply(int $status, array $body): void
{
    http_response_code($status);
    header('Content-Type: application/json');
    echo json_encode($body);
}

// Who is asking: replace with your session check (e.g. $_SESSION['user_id']). null refuses.
function current_user(): ?array
{
    return ['user_id' => 'alice', 'user_info' => ['name' => 'Alice']];
}

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($_SERVER['REQUEST_METHOD'] !== 'POST' || !in_array($path, ['/pusher/auth', '/pusher/user-auth'], true)) {
    reply(404, ['error' => 'not found']);
    return;
}
$form = str_starts_with($_SERVER['CONTENT_TYPE'] ?? '', 'application/json')
    ? (json_decode(file_get_contents('php://input'), true) ?: [])
    : $_POST; // pusher-js posts a form
$socketId = (string) ($form['socket_id'] ?? '');
$channel = (string) ($form['channel_name'] ?? '');
$user = current_user();

if (!preg_match('/^\d+\.\d+$/', $socketId)) {
    reply(400, ['error' => 'bad socket_id']);
    return;
}
if ($path === '/pusher/user-auth' && $user !== null) {
    $userData = json_encode(['id' => $user['user_id'], 'user_info' => $user['user_info']]);
    $signature = hash_hmac('sha256', "$socketId::user::$userData", $secret);
    reply(200, ['auth' => "$key:$signature", 'user_data' => $userData]);
    file_put_contents('php://stderr', "signed in {$user['user_id']} on $socketId\n");
    return;
}
if ($user === null || !preg_match('/^(private|presence)-/', $channel)) {
    reply(403, ['error' => 'forbidden']);
    return;
}
if (str_starts_with($channel, 'presence-')) {
    $channelData = json_encode($user);
    $signature = hash_hmac('sha256', "$socketId:$channel:$channelData", $secret);
    reply(200, ['auth' => "$key:$signature", 'channel_data' => $channelData]);
} else {
    $signature = hash_hmac('sha256', "$socketId:$channel", $secret);
    reply(200, ['auth' => "$key:$signature"]);
}
file_put_contents('php://stderr', "authorized $channel for $socketId\n");
