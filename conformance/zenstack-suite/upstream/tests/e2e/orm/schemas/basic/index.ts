export { getSchema } from './helper';
export { schema } from './schema';
