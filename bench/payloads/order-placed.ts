import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  IsUUID,
  Length,
  Min,
  ValidateNested,
} from 'class-validator';

/** A realistic nested payload: an order with 1–20 line items, about 200 bytes as JSON. */
export class OrderLine {
  @IsString() @Length(1, 64) sku!: string;
  @IsInt() @Min(1) quantity!: number;
  @IsInt() @Min(0) unitPriceCents!: number;
}

export class OrderPlaced {
  @IsUUID() orderId!: string;
  @IsString() customerId!: string;
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => OrderLine)
  lines!: OrderLine[];
  @IsIn(['EUR', 'USD']) currency!: string;
}
