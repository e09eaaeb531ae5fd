import { compareRoutes, compileRoute } from '../../src/compileRoute';

describe('compileRoute', () => {
  it.each([
    ['hello/{name}', '/hello/ada', { name: 'ada' }],
    ['hello/{name}', '/HELLO/ada/', { name: 'ada' }],
    ['hello/{name}', '/hello', undefined],
    ['items/{id:int}/{tag?}', '/items/12', { id: '12' }],
    ['items/{id:int}/{tag?}', '/items/12/red', { id: '12', tag: 'red' }],
    ['items/{id:int}/{tag?}', '/items/x', undefined],
    ['items/{id:int:min(10)}', '/items/9', undefined],
    ['items/{id:int:min(10)}', '/items/10', { id: '10' }],
    ['pages/{page=home}', '/pages', { page: 'home' }],
    ['files/{*path}', '/files/a/b/c.txt', { path: 'a/b/c.txt' }],
    ['files/{*path}', '/files', {}],
    ['docs/{slug:regex(^[a-z-]+$)}', '/docs/getting-started', { slug: 'getting-started' }],
    ['docs/{slug:regex(^[a-z-]+$)}', '/docs/Bad_Slug1', undefined],
    ['report/{name}.json', '/report/q3.json', { name: 'q3' }],
    [
      'ids/{id:guid}',
      '/ids/0f8fad5b-d9cb-469f-a165-70867728950e',
      { id: '0f8fad5b-d9cb-469f-a165-70867728950e' },
    ],
    ['odd/{x:customthing}', '/odd/anything', { x: 'anything' }],
    ['enc/{name}', '/enc/a%20b', { name: 'a b' }],
    ['', '/', {}],
  ])('%s matches %s as %j', (template, path, expected) => {
    expect(compileRoute(template).match(path)).toEqual(expected);
  });

  it('orders literal segments before parameters and catch-alls', () => {
    const routes = ['clusters/{name}', 'clusters/{*rest}', 'clusters/summary', 'clusters/{id:int}'].map(
      compileRoute,
    );
    expect(routes.sort(compareRoutes).map((r) => r.template)).toEqual([
      'clusters/summary',
      'clusters/{id:int}',
      'clusters/{name}',
      'clusters/{*rest}',
    ]);
  });
});
