// scanner-setup: to do
