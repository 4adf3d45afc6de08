// placeholder replaced as the CLI grows
console.log('medattn');
