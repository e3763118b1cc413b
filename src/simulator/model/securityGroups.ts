// Security groups: only what selection needs (id, name, VPC, tags). Rules are not modelled.
import type { Tags } from './tags.js';

export interface SecurityGroupRecord {
  id: string;
  regionId: string;
  vpcId: string;
  name: string;
  description: string;
  type: 'normal' | 'enterprise';
  tags: Tags;
  creationTime: string;
}
