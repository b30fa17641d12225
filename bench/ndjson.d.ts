declare module 'ndjson';
