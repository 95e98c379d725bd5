// Jest global tear-down for the admin project: removes the template pglite-template.cjs made.
module.exports = require('./pglite-template.cjs').teardown;
