<?php
// routes/channels.php: who may subscribe. Laravel's /broadcasting/auth route signs the answer
// with the app secret (private-orders.{id}, presence-chat.{roomId}).
use App\Models\Order;
use App\Models\User;
use Illuminate\Support\Facades\Broadcast;

Broadcast::channel('orders.{orderId}', function (User $user, int $orderId) {
    return $user->id === Order::findOrFail($orderId)->user_id;
});

// A presence channel: return the member's user_info (an array), or false to refuse.
Broadcast::channel('chat.{roomId}', function (User $user, int $roomId) {
    return $user->canJoinRoom($roomId) ? ['id' => $user->id, 'name' => $user->name] : false;
});
