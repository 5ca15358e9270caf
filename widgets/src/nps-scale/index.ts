import { defineElement } from '../shared/define.js';
import { CrmNpsScale } from './crm-nps-scale.js';

export { CrmNpsScale };
defineElement('crm-nps-scale', CrmNpsScale);
