// A Node client of querygate.models.v1.ProductService, built only from the protos that
// `querygate schema proto` emitted (docs/typed-services.md). Usage:
//   node typed_client.js HOST:PORT PROTO_DIR
// Runs Create, Get (twice, with an include), List with a typed filter, Update with a field
// mask, Delete and a Get of the deleted row, then prints one JSON summary line on stdout.
// Exits 1 (with the error on stderr) when a call fails unexpectedly.
'use strict';

const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const [target, protoDir] = process.argv.slice(2);
if (!target || !protoDir) {
  console.error('usage: node typed_client.js HOST:PORT PROTO_DIR');
  process.exit(2);
}

const definition = loader.loadSync('querygate/models/v1/models.proto', {
  includeDirs: [protoDir],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const models = grpc.loadPackageDefinition(definition).querygate.models.v1;
const products = new models.ProductService(target, grpc.credentials.createInsecure());

function call(method, request) {
  const deadline = new Date(Date.now() + 10000);
  return new Promise((resolve, reject) => {
    products[method](request, {deadline}, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

async function main() {
  const product = (title) => ({
    title,
    price: '9.90',
    status: 'PRODUCT_STATUS_ACTIVE',
    category_id: '1',
    tags: ['blue', 'node'],
  });
  const first = (await call('Create', {record: product('node-hammer')})).record;
  await call('Create', {record: product('node-saw')});
  await call('Create', {record: {...product('other'), status: 'PRODUCT_STATUS_DRAFT'}});

  await call('Get', {id: first.id});
  const got = await call('Get', {id: first.id, include: ['category']});
  const again = await call('Get', {id: first.id});

  const listed = await call('List', {
    filter: {
      all: [
        {title: {like: 'node-%'}},
        {status: {in: ['PRODUCT_STATUS_ACTIVE']}},
      ],
    },
    order_by: [{field: 'PRODUCT_FIELD_TITLE', descending: true}],
  });
  const counted = await call('Count', {filter: {all: [{rating: {is_null: true}}]}});

  const updated = (await call('Update', {
    id: first.id,
    record: {rating: 4.5, stock: 7},
    update_mask: {paths: ['rating', 'stock']},
  })).record;

  const deleted = await call('Delete', {id: first.id});
  let getAfterDelete = 0;
  try {
    await call('Get', {id: first.id});
  } catch (err) {
    getAfterDelete = err.code;
  }

  console.log(JSON.stringify({
    created_id: first.id,
    created_status: first.status,
    created_tags: first.tags,
    created_has_rating: first.rating !== undefined && first.rating !== null,
    created_at_seconds: first.created_at ? first.created_at.seconds : null,
    get_title: got.record.title,
    get_price: got.record.price,
    get_category: got.record.category ? got.record.category.name : null,
    second_get_cache: again.cache.status,
    list_titles: listed.records.map((r) => r.title),
    count_rating_null: counted.count,
    updated_rating: updated.rating,
    updated_stock: updated.stock,
    deleted: deleted.deleted,
    get_after_delete_code: getAfterDelete,
  }));
}

main()
  .then(() => products.close())
  .catch((err) => {
    console.error(`typed_client: ${err.code !== undefined ? `code ${err.code}: ` : ''}${err.message}`);
    products.close();
    process.exit(1);
  });
