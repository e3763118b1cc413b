// Integer widths as the CRDs declare them (format int32/int64), matching upstream's Go types.
import { z } from 'zod';

export const int32 = () => z.number().int().min(-2147483648).max(2147483647).meta({ format: 'int32' });
export const int64 = () => z.number().int().meta({ format: 'int64' });
