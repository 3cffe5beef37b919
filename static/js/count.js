// count: to do
