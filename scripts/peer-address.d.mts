import type { IncomingMessage } from 'node:http';

export declare const PEER_ADDRESS_HEADER = 'x-opendescent-peer-address';
export declare function setPeerAddress(request: IncomingMessage): void;
export declare const ORIGINAL_HEADERS_HEADER = 'x-opendescent-original-headers';
