import 'reflect-metadata'; // @Type reads design types when the class is defined
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

/** One line of an order: the nested shape the realistic-payload workloads validate. */
export class OrderLine {
  @IsString()
  @Length(1, 64)
  sku!: string;

  @IsInt()
  @Min(1)
  quantity!: number;

  @IsInt()
  @Min(0)
  unitPriceCents!: number;
}

/** An order as real events carry one: ids, a currency and 1–20 nested lines. */
export class OrderPlaced {
  @IsUUID()
  orderId!: string;

  @IsString()
  customerId!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => OrderLine)
  lines!: OrderLine[];

  @IsIn(['EUR', 'USD'])
  currency!: string;
}
