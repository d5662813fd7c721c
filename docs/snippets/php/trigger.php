<?php
// Publish an event, then ask about the channel, with PHP's standard library only (no Composer):
// hash_hmac, md5 and an HTTP stream (allow_url_fopen, on by default).

$scheme = getenv('PUSHER_SCHEME') ?: 'http';
$host = getenv('PUSHER_HOST') ?: '127.0.0.1';
$port = getenv('PUSHER_PORT') ?: '6001';
$appId = getenv('PUSHER_APP_ID') ?: '1001';
$key = getenv('PUSHER_APP_KEY') ?: 'chat-key';
$secret = getenv('PUSHER_APP_SECRET') ?: 'chat-secret';

// A signed request: parameters sorted by name, auth_signature = HMAC-SHA256 of "METHOD\nPATH\nQUERY".
function pusher_request(string $method, string $path, array $params = [], string $body = ''): array
{
    global $scheme, $host, $port, $key, $secret;
    $params += ['auth_key' => $key, 'auth_timestamp' => (string) time(), 'auth_version' => '1.0'];
    if ($body !== '') {
        $params['body_md5'] = md5($body);
    }
    ksort($params);
    $query = implode('&', array_map(fn ($name, $value) => "$name=$value", array_keys($params), $params));
    $signature = hash_hmac('sha256', "$method\n$path\n$query", $secret);
    $context = stream_context_create(['http' => [
        'method' => $method,
        'header' => "Content-Type: application/json\r\n",
        'content' => $body,
        'ignore_errors' => true, // read the JSON error of a 4xx too
        'timeout' => 10,
    ]]);
    $answer = file_get_contents("$scheme://$host:$port$path?$query&auth_signature=$signature", false, $context);
    preg_match('{HTTP/\S+ (\d+)}', $http_response_header[0], $status);
    return [(int) $status[1], $answer];
}

$body = json_encode([
    'name' => 'greeting',
    'channel' => 'news',
    'data' => json_encode(['text' => 'hello from PHP']), // data is a string
]);
[$status, $answer] = pusher_request('POST', "/apps/$appId/events", [], $body);
echo "trigger: $status $answer\n"; // 200 {}

[$status, $answer] = pusher_request('GET', "/apps/$appId/channels/news", ['info' => 'subscription_count']);
echo "news: $status $answer\n"; // 200 {"occupied":true,"subscription_count":1}
