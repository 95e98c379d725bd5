import { MemoryRecordStore } from '../../src/store/memory-record-store';
import { describeRecordStoreContract } from './record-store-contract';

describeRecordStoreContract('MemoryRecordStore', async () => new MemoryRecordStore());
