import { registerEnumType } from 'type-graphql';

/** Enums shared across features. Feature-specific enums live with their feature. */
export enum Channel {
  PHONE = 'PHONE',
  EMAIL = 'EMAIL',
  WEB = 'WEB',
  MOBILE_APP = 'MOBILE_APP',
  IN_PERSON = 'IN_PERSON',
  SOCIAL = 'SOCIAL',
  CHAT = 'CHAT',
  SMS = 'SMS',
  WECHAT = 'WECHAT',
  PARTNER = 'PARTNER',
  OTHER = 'OTHER',
}
registerEnumType(Channel, { name: 'Channel', description: 'Where a customer touchpoint happened.' });

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, { name: 'SortDirection' });
