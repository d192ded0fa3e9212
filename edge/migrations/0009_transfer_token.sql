-- A transfer stamps the notification with its own random token in the guarded UPDATE; the rest of its batch (the
-- routing event, the record following it, the notice, the audit entry) requires that token, so of two transfers at
-- once only the one that moved the notification writes anything (edge/src/routes/notifications.rs `transfer`).
ALTER TABLE notifications ADD COLUMN transfer_token TEXT;
